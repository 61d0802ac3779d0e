#pragma once
/// \file
/// Elastic kernel size (Once-for-All): a layer stores its depthwise kernels
/// at the largest size and derives each smaller size from the centre of the
/// next larger one through a learned matrix shared by all of the layer's
/// channels (../shared/spec/ofa.md §1):
///
///     K5 = transform_kernel(centre_crop_kernel(W7, 5), M75)
///     K3 = transform_kernel(centre_crop_kernel(K5, 3), M53)

#include <cstdint>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/ops/reshape.hpp"

namespace hwnas::nn {

/// The centre `size` x `size` window of every kernel of `weight`
/// [O, I, K, K], as [O, I, size, size]; gradients flow back to the window.
/// ShapeError unless K - size is even and non-negative.
template <Scalar T>
BasicVariable<T> centre_crop_kernel(const BasicVariable<T>& weight, std::int64_t size) {
  HWNAS_CHECK_SHAPE(weight.dim() == 4 && weight.size(2) == weight.size(3),
                    "centre_crop_kernel: expected square kernels [O, I, K, K], got {}", weight.shape());
  const std::int64_t full = weight.size(2);
  HWNAS_CHECK_SHAPE(size >= 1 && size <= full && (full - size) % 2 == 0,
                    "centre_crop_kernel: cannot take a centred {}x{} window of kernels {}", size, size,
                    weight.shape());
  const std::int64_t start = (full - size) / 2;
  return hwnas::narrow(hwnas::narrow(weight, 2, start, size), 3, start, size);
}

/// Every kernel of `weight` [O, I, k, k], flattened row-major into a vector v
/// of length k*k, replaced by M v (out[j] = sum_i M[j][i] v[i]) for `matrix`
/// M [k*k, k*k]; differentiable in both. It derives weights rather than
/// computing on activations, so it records no MACs: the network the weights
/// end up in does not perform it.
template <Scalar T>
BasicVariable<T> transform_kernel(const BasicVariable<T>& weight, const BasicVariable<T>& matrix) {
  HWNAS_CHECK_SHAPE(weight.dim() == 4 && weight.size(2) == weight.size(3) && weight.size(0) * weight.size(1) >= 1,
                    "transform_kernel: expected non-empty square kernels [O, I, k, k], got {}", weight.shape());
  const std::int64_t area = weight.size(2) * weight.size(3);
  HWNAS_CHECK_SHAPE(matrix.shape() == Shape({area, area}),
                    "transform_kernel: matrix {} must be [{}, {}] for kernels {}", matrix.shape(), area, area,
                    weight.shape());
  const std::int64_t kernels = weight.size(0) * weight.size(1);
  auto out = BasicTensor<T>::uninitialized(weight.shape());
  out.matrix(kernels).noalias() = weight.value().matrix(kernels) * matrix.value().matrix(area).transpose();
  return BasicVariable<T>::make_result(
      "transform_kernel", std::move(out), {&weight, &matrix}, [kernels, area](auto& node) {
        const auto grad = node.grad.matrix(kernels);
        if (node.needs_input_grad(0))
          node.input_grad(0).matrix(kernels).noalias() += grad * node.input_value(1).matrix(area);
        if (node.needs_input_grad(1))
          node.input_grad(1).matrix(area).noalias() += grad.transpose() * node.input_value(0).matrix(kernels);
      });
}

}  // namespace hwnas::nn
