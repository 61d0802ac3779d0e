#pragma once
/// \file
/// 2-D convolution (dense, grouped and depthwise) and fully connected layers,
/// each with its gradient. The checks and the autograd wiring live here; the
/// arithmetic is in compiled kernels (`hwnas/core/detail/conv_kernels.hpp`).

#include <cstdint>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/detail/conv_kernels.hpp"
#include "hwnas/core/mac_counter.hpp"

namespace hwnas {

/// Output size of a convolution or pooling window along one spatial axis
/// (dilation 1). Throws ConfigError for a kernel or stride below 1 or a
/// negative padding, and ShapeError when the kernel does not fit the padded input.
[[nodiscard]] inline std::int64_t conv_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                                   std::int64_t padding) {
  HWNAS_CHECK_CONFIG(kernel >= 1, "convolution kernel size must be at least 1, got {}", kernel);
  HWNAS_CHECK_CONFIG(stride >= 1, "convolution stride must be at least 1, got {}", stride);
  HWNAS_CHECK_CONFIG(padding >= 0, "convolution padding must not be negative, got {}", padding);
  HWNAS_CHECK_SHAPE(in >= 0 && in + 2 * padding >= kernel,
                    "convolution kernel {} is larger than the input size {} padded by {} on each side", kernel, in,
                    padding);
  return (in + 2 * padding - kernel) / stride + 1;
}

/// Options of `conv2d`, set by chaining: `Conv2dOptions{}.stride(2).padding(1)`.
struct Conv2dOptions {
  std::int64_t stride_ = 1;
  std::int64_t padding_ = 0;  ///< Zero padding added on every side.
  std::int64_t groups_ = 1;   ///< Channel groups: 1 is a dense conv, in_channels a depthwise one.

  Conv2dOptions& stride(std::int64_t value) {
    stride_ = value;
    return *this;
  }
  Conv2dOptions& padding(std::int64_t value) {
    padding_ = value;
    return *this;
  }
  Conv2dOptions& groups(std::int64_t value) {
    groups_ = value;
    return *this;
  }
  [[nodiscard]] std::int64_t stride() const { return stride_; }
  [[nodiscard]] std::int64_t padding() const { return padding_; }
  [[nodiscard]] std::int64_t groups() const { return groups_; }

  friend bool operator==(const Conv2dOptions&, const Conv2dOptions&) = default;
};

/// Cross-correlation of `x` `[N, C, H, W]` with `weight` `[O, C/groups, kh, kw]`
/// plus `bias` `[O]` (or a null variable for none). Returns `[N, O, OH, OW]` with
/// `OH = conv_output_size(H, kh, stride, padding)` and likewise `OW`.
/// Depthwise convolutions (groups == C == O) run on a dedicated direct kernel.
template <Scalar T>
BasicVariable<T> conv2d(const BasicVariable<T>& x, const BasicVariable<T>& weight, const BasicVariable<T>& bias,
                        const Conv2dOptions& options = {}) {
  const detail::Conv2dGeometry geometry =
      detail::conv2d_geometry(x.shape(), weight.shape(), bias.defined() ? &bias.shape() : nullptr, options.stride_,
                              options.padding_, options.groups_);
  auto out = BasicTensor<T>::uninitialized(
      Shape{geometry.batch, geometry.out_channels, geometry.out_height, geometry.out_width});
  detail::conv2d_forward<T>(geometry, x.value().data(), weight.value().data(),
                            bias.defined() ? bias.value().data() : nullptr, out.data());
  MacCounter::record(geometry.batch * geometry.out_channels * geometry.out_plane() * geometry.patch_size());
  return BasicVariable<T>::make_result("conv2d", std::move(out), {&x, &weight, &bias}, [geometry](auto& node) {
    const T* grad = node.grad.data();
    if (node.needs_input_grad(0)) {
      detail::conv2d_backward_input<T>(geometry, grad, node.input_value(1).data(), node.input_grad(0).data());
    }
    if (node.needs_input_grad(1)) {
      detail::conv2d_backward_weight<T>(geometry, grad, node.input_value(0).data(), node.input_grad(1).data());
    }
    if (node.needs_input_grad(2)) detail::conv2d_backward_bias<T>(geometry, grad, node.input_grad(2).data());
  });
}

/// Fully connected layer: `x` `[N, in]` times `weight` `[out, in]` transposed,
/// plus `bias` `[out]` (or a null variable for none). Returns `[N, out]`.
template <Scalar T>
BasicVariable<T> linear(const BasicVariable<T>& x, const BasicVariable<T>& weight, const BasicVariable<T>& bias) {
  const detail::LinearGeometry geometry =
      detail::linear_geometry(x.shape(), weight.shape(), bias.defined() ? &bias.shape() : nullptr);
  auto out = BasicTensor<T>::uninitialized(Shape{geometry.batch, geometry.out_features});
  detail::linear_forward<T>(geometry, x.value().data(), weight.value().data(),
                            bias.defined() ? bias.value().data() : nullptr, out.data());
  MacCounter::record(geometry.batch * geometry.in_features * geometry.out_features);
  return BasicVariable<T>::make_result("linear", std::move(out), {&x, &weight, &bias}, [geometry](auto& node) {
    const T* grad = node.grad.data();
    if (node.needs_input_grad(0)) {
      detail::linear_backward_input<T>(geometry, grad, node.input_value(1).data(), node.input_grad(0).data());
    }
    if (node.needs_input_grad(1)) {
      detail::linear_backward_weight<T>(geometry, grad, node.input_value(0).data(), node.input_grad(1).data());
    }
    if (node.needs_input_grad(2)) detail::linear_backward_bias<T>(geometry, grad, node.input_grad(2).data());
  });
}

}  // namespace hwnas
