#pragma once
/// \file
/// Reductions of a whole tensor to a rank-0 scalar, each with its gradient.
/// Totals are accumulated in double so that float tensors with many elements
/// do not lose the small terms.

#include "hwnas/core/autograd.hpp"

namespace hwnas {

namespace detail {

/// factor * (sum of all elements) as a rank-0 scalar; every element's gradient is factor.
template <Scalar T>
BasicVariable<T> scaled_total(const char* op, const BasicVariable<T>& x, double factor) {
  const double total = x.value().array().template cast<double>().sum();
  return BasicVariable<T>::make_result(op, BasicTensor<T>::scalar(static_cast<T>(factor * total)), {&x},
                                       [factor](auto& node) {
                                         node.input_grad(0).array() += static_cast<T>(factor * node.grad[0]);
                                       });
}

}  // namespace detail

/// Sum of all elements as a rank-0 scalar (0 for an empty tensor).
template <Scalar T>
BasicVariable<T> sum(const BasicVariable<T>& x) {
  return detail::scaled_total("sum", x, 1.0);
}

/// Mean of all elements as a rank-0 scalar; an empty tensor has no mean (ShapeError).
template <Scalar T>
BasicVariable<T> mean(const BasicVariable<T>& x) {
  HWNAS_CHECK_SHAPE(x.numel() > 0, "mean: the tensor of shape {} has no elements", x.shape());
  return detail::scaled_total("mean", x, 1.0 / static_cast<double>(x.numel()));
}

}  // namespace hwnas
