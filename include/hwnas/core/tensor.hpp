#pragma once
/// \file
/// `BasicTensor<T>`: a dense, contiguous, 64-byte aligned array with a shape.
/// Tensors are values: copying one copies its elements. Sharing happens one
/// level up, through autograd `Variable`s.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <span>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "hwnas/core/buffer_cache.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/shape.hpp"

namespace hwnas {

/// Scalar types a tensor may hold: float for speed, double where precision matters.
template <class T>
concept Scalar = std::same_as<T, float> || std::same_as<T, double>;

namespace detail {

/// Tensor storage: 64-byte aligned blocks from the buffer cache, and
/// value-less construction that leaves elements unset, so a kernel's output
/// buffer is not zero-filled just to be overwritten.
template <class T>
struct TensorAllocator {
  using value_type = T;

  TensorAllocator() = default;
  template <class U>
  TensorAllocator(const TensorAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(allocate_buffer(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { free_buffer(p, n * sizeof(T)); }

  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <class U>
  friend bool operator==(const TensorAllocator&, const TensorAllocator<U>&) noexcept {
    return true;
  }
};

}  // namespace detail

template <Scalar T>
class BasicTensor {
 public:
  using value_type = T;
  using Storage = std::vector<T, detail::TensorAllocator<T>>;
  using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>, Eigen::Aligned64>;
  using ConstArrayMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>, Eigen::Aligned64>;
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using MatrixMap = Eigen::Map<Matrix, Eigen::Aligned64>;
  using ConstMatrixMap = Eigen::Map<const Matrix, Eigen::Aligned64>;

  /// An empty tensor (rank 1, no elements) that holds nothing yet.
  BasicTensor() : shape_{0} {}
  /// A zero-filled tensor.
  explicit BasicTensor(Shape shape) : BasicTensor(std::move(shape), T{0}) {}
  BasicTensor(Shape shape, T fill) : shape_(std::move(shape)), data_(shape_.numel(), fill) {}
  /// A tensor holding `values`, which must have `shape.numel()` elements.
  BasicTensor(Shape shape, std::span<const T> values) : shape_(std::move(shape)), data_(values.begin(), values.end()) {
    HWNAS_CHECK_SHAPE(static_cast<std::int64_t>(values.size()) == shape_.numel(),
                      "tensor of shape {} needs {} values, got {}", shape_, shape_.numel(), values.size());
  }
  BasicTensor(Shape shape, std::initializer_list<T> values)
      : BasicTensor(std::move(shape), std::span<const T>(values.begin(), values.size())) {}

  /// A tensor whose elements are unspecified: for outputs a kernel overwrites entirely.
  static BasicTensor uninitialized(Shape shape) {
    BasicTensor t;
    t.data_.resize(static_cast<std::size_t>(shape.numel()));
    t.shape_ = std::move(shape);
    return t;
  }

  /// A rank-0 tensor holding one value.
  static BasicTensor scalar(T value) { return BasicTensor(Shape{}, value); }

  [[nodiscard]] const Shape& shape() const { return shape_; }
  [[nodiscard]] std::int64_t dim() const { return shape_.rank(); }
  [[nodiscard]] std::int64_t size(std::int64_t axis) const { return shape_[axis]; }
  [[nodiscard]] std::int64_t numel() const { return static_cast<std::int64_t>(data_.size()); }
  [[nodiscard]] bool empty() const { return data_.empty(); }

  [[nodiscard]] T* data() { return data_.data(); }
  [[nodiscard]] const T* data() const { return data_.data(); }
  [[nodiscard]] std::span<T> values() { return data_; }
  [[nodiscard]] std::span<const T> values() const { return data_; }

  /// Flat (row-major) element access.
  [[nodiscard]] T& operator[](std::int64_t i) { return data_[static_cast<std::size_t>(i)]; }
  [[nodiscard]] const T& operator[](std::int64_t i) const { return data_[static_cast<std::size_t>(i)]; }

  /// Element access by one index per dimension, e.g. `x(n, c, h, w)`.
  template <std::integral... I>
  [[nodiscard]] T& operator()(I... index) { return data_[offset(index...)]; }
  template <std::integral... I>
  [[nodiscard]] const T& operator()(I... index) const { return data_[offset(index...)]; }

  /// The value of a one-element tensor.
  [[nodiscard]] T item() const {
    HWNAS_CHECK_SHAPE(numel() == 1, "item() needs a tensor with one element, got shape {}", shape_);
    return data_[0];
  }

  /// All elements as a flat Eigen array, for element-wise math.
  [[nodiscard]] ArrayMap array() { return ArrayMap(data_.data(), numel()); }
  [[nodiscard]] ConstArrayMap array() const { return ConstArrayMap(data_.data(), numel()); }

  /// The elements viewed as a row-major `rows x (numel/rows)` matrix.
  [[nodiscard]] MatrixMap matrix(std::int64_t rows) { return MatrixMap(data_.data(), rows, columns(rows)); }
  [[nodiscard]] ConstMatrixMap matrix(std::int64_t rows) const {
    return ConstMatrixMap(data_.data(), rows, columns(rows));
  }

  void fill(T value) { std::fill(data_.begin(), data_.end(), value); }

  /// The same elements under another shape with as many elements.
  [[nodiscard]] BasicTensor reshaped(Shape shape) const& { return BasicTensor(*this).reshaped(std::move(shape)); }
  [[nodiscard]] BasicTensor reshaped(Shape shape) && {
    HWNAS_CHECK_SHAPE(shape.numel() == numel(), "cannot reshape {} ({} elements) to {} ({} elements)", shape_,
                      numel(), shape, shape.numel());
    shape_ = std::move(shape);
    return std::move(*this);
  }

  /// A copy with elements converted to `U`.
  template <Scalar U>
  [[nodiscard]] BasicTensor<U> cast() const {
    BasicTensor<U> out(shape_);
    std::transform(data_.begin(), data_.end(), out.data(), [](T v) { return static_cast<U>(v); });
    return out;
  }

  friend bool operator==(const BasicTensor& a, const BasicTensor& b) {
    return a.shape_ == b.shape_ && a.data_ == b.data_;
  }

 private:
  [[nodiscard]] std::int64_t columns(std::int64_t rows) const {
    HWNAS_CHECK_SHAPE(rows > 0 && numel() % rows == 0, "cannot view shape {} as a matrix with {} rows", shape_, rows);
    return numel() / rows;
  }

  template <class... I>
  [[nodiscard]] std::size_t offset(I... index) const {
    HWNAS_CHECK_SHAPE(sizeof...(I) == static_cast<std::size_t>(dim()), "{} indices given for a tensor of shape {}",
                      sizeof...(I), shape_);
    std::int64_t flat = 0;
    std::int64_t axis = 0;
    ((flat = flat * shape_[axis++] + static_cast<std::int64_t>(index)), ...);
    return static_cast<std::size_t>(flat);
  }

  Shape shape_;
  Storage data_;
};

using Tensor = BasicTensor<float>;
using TensorD = BasicTensor<double>;

/// Throws ShapeError naming `op` unless `a` and `b` have the same shape.
template <class A, class B>
void check_same_shape(const char* op, const A& a, const B& b) {
  HWNAS_CHECK_SHAPE(a.shape() == b.shape(), "{}: shapes {} and {} differ", op, a.shape(), b.shape());
}

}  // namespace hwnas

/// Prints a tensor as `Tensor[2, 3]{v0, v1, ...}` (at most 16 values).
template <hwnas::Scalar T>
struct fmt::formatter<hwnas::BasicTensor<T>> : fmt::formatter<std::string_view> {
  auto format(const hwnas::BasicTensor<T>& t, fmt::format_context& ctx) const {
    constexpr std::int64_t shown = 16;
    const auto values = t.values().first(static_cast<std::size_t>(std::min(shown, t.numel())));
    return fmt::format_to(ctx.out(), "Tensor{}{{{}{}}}", t.shape(), fmt::join(values, ", "),
                          t.numel() > shown ? ", ..." : "");
  }
};
