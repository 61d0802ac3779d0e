#pragma once
/// \file
/// `tap(x, see)`: the identity, except that the backward pass shows
/// `see(value, grad)` the gradient arriving at x's value before passing it
/// on unchanged. Proxies that need gradients with respect to activations
/// (Fisher) route a layer's output through it.

#include <functional>

#include "hwnas/core/autograd.hpp"

namespace hwnas {

template <Scalar T>
using TapFunction = std::function<void(const BasicTensor<T>& value, const BasicTensor<T>& grad)>;

template <Scalar T>
BasicVariable<T> tap(const BasicVariable<T>& x, TapFunction<T> see) {
  return BasicVariable<T>::make_result("tap", x.value(), {&x}, [see = std::move(see)](auto& node) {
    see(node.value, node.grad);
    node.input_grad(0).array() += node.grad.array();
  });
}

}  // namespace hwnas
