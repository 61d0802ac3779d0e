#pragma once
/// \file
/// Element-wise arithmetic and activations, each with its gradient.

#include "hwnas/core/autograd.hpp"

namespace hwnas {

/// a + b (same shapes).
template <Scalar T>
BasicVariable<T> add(const BasicVariable<T>& a, const BasicVariable<T>& b) {
  check_same_shape("add", a, b);
  BasicTensor<T> out(a.shape());
  out.array() = a.value().array() + b.value().array();
  return BasicVariable<T>::make_result("add", std::move(out), {&a, &b}, [](auto& node) {
    for (std::size_t i = 0; i < 2; ++i)
      if (node.needs_input_grad(i)) node.input_grad(i).array() += node.grad.array();
  });
}

/// max(x, 0).
template <Scalar T>
BasicVariable<T> relu(const BasicVariable<T>& x) {
  BasicTensor<T> out(x.shape());
  out.array() = x.value().array().max(T{0});
  return BasicVariable<T>::make_result("relu", std::move(out), {&x}, [](auto& node) {
    node.input_grad(0).array() += (node.value.array() > T{0}).select(node.grad.array(), T{0});
  });
}

}  // namespace hwnas
