#pragma once
/// \file
/// Spatial resizing of NCHW tensors.

#include <cstdint>
#include <utility>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/detail/norm_pool_kernels.hpp"

namespace hwnas {

/// Bilinear resize of `x` [N, C, H, W] to [N, C, out_h, out_w] with
/// half-pixel centres, as PyTorch's `interpolate(mode="bilinear",
/// align_corners=False)` without antialiasing: output position d reads source
/// coordinate `(d + 0.5) * in / out - 0.5`, clamped below at 0, and its two
/// neighbours are clamped at the border. Works for up- and down-sampling; an
/// unchanged size is an exact copy.
template <Scalar T>
BasicVariable<T> resize_bilinear(const BasicVariable<T>& x, std::int64_t out_h, std::int64_t out_w) {
  HWNAS_CHECK_SHAPE(x.dim() == 4, "resize_bilinear: expected NCHW input, got {}", x.shape());
  HWNAS_CHECK_SHAPE(x.size(2) > 0 && x.size(3) > 0, "resize_bilinear: input {} has an empty plane", x.shape());
  HWNAS_CHECK_CONFIG(out_h > 0 && out_w > 0, "resize_bilinear: output size must be positive, got {}x{} for input {}",
                     out_h, out_w, x.shape());
  auto out = BasicTensor<T>::uninitialized(Shape{x.size(0), x.size(1), out_h, out_w});
  detail::resize_bilinear_forward(x.value(), out);
  return BasicVariable<T>::make_result("resize_bilinear", std::move(out), {&x}, [](auto& node) {
    detail::resize_bilinear_backward(node.grad, node.input_grad(0));
  });
}

}  // namespace hwnas
