#pragma once
/// \file
/// 2-D average, max and global average pooling of NCHW tensors.

#include <cstdint>
#include <utility>
#include <vector>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/detail/norm_pool_kernels.hpp"

namespace hwnas {

/// A square pooling window: `Pool2dOptions{}.kernel(3).stride(1).padding(1)`.
/// Output sizes follow PyTorch with `ceil_mode = false`:
/// `floor((H + 2 * padding - kernel) / stride) + 1`.
struct Pool2dOptions {
  std::int64_t kernel_ = 2;
  /// 0 means the kernel size, i.e. non-overlapping windows.
  std::int64_t stride_ = 0;
  /// At most kernel / 2 on every side.
  std::int64_t padding_ = 0;
  /// Average pooling only: whether padded positions count in the divisor.
  bool count_include_pad_ = true;

  Pool2dOptions& kernel(std::int64_t value) {
    kernel_ = value;
    return *this;
  }
  Pool2dOptions& stride(std::int64_t value) {
    stride_ = value;
    return *this;
  }
  Pool2dOptions& padding(std::int64_t value) {
    padding_ = value;
    return *this;
  }
  Pool2dOptions& count_include_pad(bool on) {
    count_include_pad_ = on;
    return *this;
  }

  /// The stride actually used.
  [[nodiscard]] std::int64_t effective_stride() const { return stride_ == 0 ? kernel_ : stride_; }
};

namespace detail {

/// A pooling window checked against its input, with the output shape it gives.
struct PoolGeometry {
  PoolWindow window;
  Shape out_shape;
};

/// Checks that `options` fit an input of shape `x`.
inline PoolGeometry pool2d_geometry(const char* op, const Shape& x, const Pool2dOptions& options) {
  HWNAS_CHECK_SHAPE(x.rank() == 4, "{}: expected NCHW input, got {}", op, x);
  HWNAS_CHECK_SHAPE(x[2] > 0 && x[3] > 0, "{}: input {} has an empty plane", op, x);
  const PoolWindow window{options.kernel_, options.effective_stride(), options.padding_};
  HWNAS_CHECK_CONFIG(window.kernel > 0 && window.stride > 0,
                     "{}: kernel and stride must be positive, got kernel {} and stride {}", op, window.kernel,
                     window.stride);
  HWNAS_CHECK_CONFIG(window.padding >= 0 && window.padding <= window.kernel / 2,
                     "{}: padding must be in [0, kernel / 2], got padding {} for kernel {}", op, window.padding,
                     window.kernel);
  const std::int64_t padded_h = x[2] + 2 * window.padding;
  const std::int64_t padded_w = x[3] + 2 * window.padding;
  HWNAS_CHECK_SHAPE(padded_h >= window.kernel && padded_w >= window.kernel,
                    "{}: kernel {} is larger than input {} with padding {}", op, window.kernel, x, window.padding);
  return {window, Shape{x[0], x[1], (padded_h - window.kernel) / window.stride + 1,
                        (padded_w - window.kernel) / window.stride + 1}};
}

}  // namespace detail

/// Averages each window of `x` [N, C, H, W]. Padding adds zeros; with
/// `count_include_pad(false)` the divisor is the number of in-bounds elements
/// of the window instead of kernel * kernel.
template <Scalar T>
BasicVariable<T> avg_pool2d(const BasicVariable<T>& x, const Pool2dOptions& options) {
  const detail::PoolGeometry geometry = detail::pool2d_geometry("avg_pool2d", x.shape(), options);
  const detail::PoolWindow window = geometry.window;
  const bool include_pad = options.count_include_pad_;
  auto out = BasicTensor<T>::uninitialized(geometry.out_shape);
  detail::avg_pool2d_forward(x.value(), window, include_pad, out);
  return BasicVariable<T>::make_result("avg_pool2d", std::move(out), {&x}, [window, include_pad](auto& node) {
    detail::avg_pool2d_backward(node.grad, window, include_pad, node.input_grad(0));
  });
}

/// The maximum of each window of `x` [N, C, H, W]. Padding acts as -inf (it
/// never wins); among equal maxima the first in row-major order takes the
/// gradient.
template <Scalar T>
BasicVariable<T> max_pool2d(const BasicVariable<T>& x, const Pool2dOptions& options) {
  const detail::PoolGeometry geometry = detail::pool2d_geometry("max_pool2d", x.shape(), options);
  auto out = BasicTensor<T>::uninitialized(geometry.out_shape);
  std::vector<std::int64_t> argmax;
  detail::max_pool2d_forward(x.value(), geometry.window, out, argmax);
  return BasicVariable<T>::make_result("max_pool2d", std::move(out), {&x}, [argmax = std::move(argmax)](auto& node) {
    detail::max_pool2d_backward(node.grad, argmax, node.input_grad(0));
  });
}

/// The mean of every channel plane: [N, C, H, W] -> [N, C, 1, 1].
template <Scalar T>
BasicVariable<T> global_avg_pool2d(const BasicVariable<T>& x) {
  HWNAS_CHECK_SHAPE(x.dim() == 4, "global_avg_pool2d: expected NCHW input, got {}", x.shape());
  HWNAS_CHECK_SHAPE(x.size(2) > 0 && x.size(3) > 0, "global_avg_pool2d: input {} has an empty plane", x.shape());
  auto out = BasicTensor<T>::uninitialized(Shape{x.size(0), x.size(1), 1, 1});
  detail::global_avg_pool2d_forward(x.value(), out);
  return BasicVariable<T>::make_result("global_avg_pool2d", std::move(out), {&x}, [](auto& node) {
    detail::global_avg_pool2d_backward(node.grad, node.input_grad(0));
  });
}

}  // namespace hwnas
