#pragma once
/// \file
/// `Resize`: bilinear resize of NCHW images to a fixed size (half-pixel
/// centres, like PyTorch's `align_corners=False`), e.g. to feed a network
/// at an elastic input resolution.

#include <cstdint>
#include <string>

#include "hwnas/core/ops/resize.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

template <Scalar T>
class BasicResize : public BasicModule<T> {
 public:
  BasicResize(std::int64_t height, std::int64_t width) : height_(height), width_(width) {
    HWNAS_CHECK_CONFIG(height >= 1 && width >= 1, "Resize: size must be positive, got {}x{}", height, width);
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override { return hwnas::resize_bilinear(x, height_, width_); }
  [[nodiscard]] std::string type_name() const override { return "Resize"; }

  [[nodiscard]] std::int64_t height() const { return height_; }
  [[nodiscard]] std::int64_t width() const { return width_; }

 private:
  std::int64_t height_;
  std::int64_t width_;
};

using Resize = BasicResize<float>;

}  // namespace hwnas::nn
