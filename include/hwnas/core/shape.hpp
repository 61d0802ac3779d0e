#pragma once
/// \file
/// Tensor shapes (dimensions, outermost first: NCHW for images).

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"

namespace hwnas {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) : dims_(dims) { validate(); }
  explicit Shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) { validate(); }

  [[nodiscard]] std::int64_t rank() const { return static_cast<std::int64_t>(dims_.size()); }
  [[nodiscard]] std::int64_t operator[](std::int64_t axis) const { return dims_[normalise(axis)]; }
  [[nodiscard]] std::span<const std::int64_t> dims() const { return dims_; }

  /// Number of elements; 1 for a rank-0 (scalar) shape.
  [[nodiscard]] std::int64_t numel() const {
    std::int64_t n = 1;
    for (auto d : dims_) n *= d;
    return n;
  }

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  void validate() const {
    for (auto d : dims_) HWNAS_CHECK_SHAPE(d >= 0, "negative dimension in shape {}", dims_);
  }
  [[nodiscard]] std::size_t normalise(std::int64_t axis) const {
    const auto r = rank();
    HWNAS_CHECK_SHAPE(axis >= -r && axis < r, "axis {} out of range for shape {}", axis, dims_);
    return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
  }

  std::vector<std::int64_t> dims_;
};

}  // namespace hwnas

/// Prints a shape as `[2, 3, 28, 28]`.
template <>
struct fmt::formatter<hwnas::Shape> : fmt::formatter<std::string_view> {
  auto format(const hwnas::Shape& s, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "[{}]", fmt::join(s.dims(), ", "));
  }
};
