#pragma once
/// \file
/// Compiled kernels behind batch_norm2d, the 2-D poolings and resize_bilinear
/// (src/core/batch_norm.cpp, pool.cpp, resize.cpp; instantiated for float and
/// double). They trust their caller: the ops in core/ops/ check every input
/// and size the outputs before calling them. Backward kernels accumulate
/// (`+=`) into gradient buffers, as autograd expects.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hwnas/core/tensor.hpp"

namespace hwnas::detail {

/// Planes (or channels) per parallel chunk, so that a chunk holds enough
/// elements to be worth handing to another thread.
[[nodiscard]] inline std::int64_t plane_grain(std::int64_t elements_per_plane) {
  constexpr std::int64_t min_elements_per_chunk = std::int64_t{1} << 14;
  return std::max<std::int64_t>(1, min_elements_per_chunk / std::max<std::int64_t>(1, elements_per_plane));
}

// ---- batch norm (x is NCHW; per-channel tensors have shape [C]) ----

/// Per-channel mean and biased variance, in two passes with double accumulators.
template <Scalar T>
void channel_moments(const BasicTensor<T>& x, BasicTensor<T>& mean, BasicTensor<T>& variance);

/// y = (x - mean) * inv_std * gamma + beta per channel; a null gamma is 1, a null beta is 0.
template <Scalar T>
void batch_norm_forward(const BasicTensor<T>& x, const BasicTensor<T>& mean, const BasicTensor<T>& inv_std,
                        const BasicTensor<T>* gamma, const BasicTensor<T>* beta, BasicTensor<T>& y);

/// Gradient buffers batch_norm_backward accumulates into; null where not needed.
template <Scalar T>
struct BatchNormGrads {
  BasicTensor<T>* x = nullptr;
  BasicTensor<T>* gamma = nullptr;
  BasicTensor<T>* beta = nullptr;
};

/// Back-propagates through batch_norm_forward. With `batch_statistics`, mean
/// and inv_std were computed from x itself, so the gradient also flows
/// through them; otherwise they were constants (running estimates).
template <Scalar T>
void batch_norm_backward(const BasicTensor<T>& grad_y, const BasicTensor<T>& x, const BasicTensor<T>& mean,
                         const BasicTensor<T>& inv_std, const BasicTensor<T>* gamma, bool batch_statistics,
                         const BatchNormGrads<T>& grads);

// ---- pooling (x is NCHW; y has the pooled height and width) ----

/// A square pooling window: size, step and zero padding on every side.
struct PoolWindow {
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
};

/// Average over each window; padded positions count in the divisor only with `count_include_pad`.
template <Scalar T>
void avg_pool2d_forward(const BasicTensor<T>& x, const PoolWindow& window, bool count_include_pad,
                        BasicTensor<T>& y);

template <Scalar T>
void avg_pool2d_backward(const BasicTensor<T>& grad_y, const PoolWindow& window, bool count_include_pad,
                         BasicTensor<T>& grad_x);

/// Maximum over the in-bounds part of each window (padding never wins), with
/// the flat index into x of the first maximum of each window in `argmax`.
/// A NaN in a window propagates to its output.
template <Scalar T>
void max_pool2d_forward(const BasicTensor<T>& x, const PoolWindow& window, BasicTensor<T>& y,
                        std::vector<std::int64_t>& argmax);

/// Routes each output gradient to its window's maximum. `grad_x` has x's shape.
template <Scalar T>
void max_pool2d_backward(const BasicTensor<T>& grad_y, const std::vector<std::int64_t>& argmax,
                         BasicTensor<T>& grad_x);

/// Mean of every HxW plane, with double accumulators; y is [N, C, 1, 1].
template <Scalar T>
void global_avg_pool2d_forward(const BasicTensor<T>& x, BasicTensor<T>& y);

template <Scalar T>
void global_avg_pool2d_backward(const BasicTensor<T>& grad_y, BasicTensor<T>& grad_x);

// ---- bilinear resize (sizes come from the shapes of x and y) ----

/// Bilinear interpolation with half-pixel centres; an unchanged size is an exact copy.
template <Scalar T>
void resize_bilinear_forward(const BasicTensor<T>& x, BasicTensor<T>& y);

template <Scalar T>
void resize_bilinear_backward(const BasicTensor<T>& grad_y, BasicTensor<T>& grad_x);

}  // namespace hwnas::detail
