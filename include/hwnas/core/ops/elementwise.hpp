#pragma once
/// \file
/// Element-wise arithmetic and activations, each with its gradient.
///
/// At kinks the activations use the same subgradient as PyTorch, so that
/// results and trained weights carry over between the two:
/// - relu'(0) = 0;
/// - relu6'(x) = 1 only for 0 < x < 6 (0 at both kinks);
/// - hsigmoid'(x) = 1/6 only for -3 < x < 3 (0 at both kinks);
/// - hswish'(x) = 0 for x <= -3, (2x + 3) / 6 for -3 < x < 3, 1 for x >= 3,
///   so hswish'(-3) = 0 and hswish'(3) = 1: the value of the flat or linear
///   piece the point belongs to (PyTorch 2.7 and later; older releases gave
///   -0.5 and 1.5 there).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "hwnas/core/autograd.hpp"

namespace hwnas {

namespace detail {

/// y = forward(x) element-wise; the backward pass multiplies the incoming
/// gradient by `derivative(x, y)`. The derivative sees the output too, so that
/// ops such as sigmoid need not recompute it.
template <Scalar T, class Forward, class Derivative>
BasicVariable<T> unary_elementwise(const char* op, const BasicVariable<T>& x, Forward forward,
                                   Derivative derivative) {
  auto out = BasicTensor<T>::uninitialized(x.shape());
  out.array() = x.value().array().unaryExpr(forward);
  return BasicVariable<T>::make_result(op, std::move(out), {&x}, [derivative](auto& node) {
    node.input_grad(0).array() +=
        node.grad.array() * node.input_value(0).array().binaryExpr(node.value.array(), derivative);
  });
}

/// y = forward(a, b) element-wise for two tensors of the same shape; the
/// backward pass multiplies the incoming gradient by `d_da(a, b)` and `d_db(a, b)`.
template <Scalar T, class Forward, class DerivativeA, class DerivativeB>
BasicVariable<T> binary_elementwise(const char* op, const BasicVariable<T>& a, const BasicVariable<T>& b,
                                    Forward forward, DerivativeA d_da, DerivativeB d_db) {
  check_same_shape(op, a, b);
  auto out = BasicTensor<T>::uninitialized(a.shape());
  out.array() = a.value().array().binaryExpr(b.value().array(), forward);
  return BasicVariable<T>::make_result(op, std::move(out), {&a, &b}, [d_da, d_db](auto& node) {
    const auto av = node.input_value(0).array();
    const auto bv = node.input_value(1).array();
    if (node.needs_input_grad(0)) node.input_grad(0).array() += node.grad.array() * av.binaryExpr(bv, d_da);
    if (node.needs_input_grad(1)) node.input_grad(1).array() += node.grad.array() * av.binaryExpr(bv, d_db);
  });
}

/// relu6(x) = min(max(x, 0), 6).
template <Scalar T>
T relu6_value(T v) {
  return std::min(std::max(v, T{0}), T{6});
}

}  // namespace detail

/// a + b (same shapes).
template <Scalar T>
BasicVariable<T> add(const BasicVariable<T>& a, const BasicVariable<T>& b) {
  return detail::binary_elementwise(
      "add", a, b, [](T u, T v) { return u + v; }, [](T, T) { return T{1}; }, [](T, T) { return T{1}; });
}

/// a - b (same shapes).
template <Scalar T>
BasicVariable<T> sub(const BasicVariable<T>& a, const BasicVariable<T>& b) {
  return detail::binary_elementwise(
      "sub", a, b, [](T u, T v) { return u - v; }, [](T, T) { return T{1}; }, [](T, T) { return T{-1}; });
}

/// a * b element-wise (same shapes).
template <Scalar T>
BasicVariable<T> mul(const BasicVariable<T>& a, const BasicVariable<T>& b) {
  return detail::binary_elementwise(
      "mul", a, b, [](T u, T v) { return u * v; }, [](T, T v) { return v; }, [](T u, T) { return u; });
}

/// x * s for a constant s.
template <Scalar T>
BasicVariable<T> scale(const BasicVariable<T>& x, std::type_identity_t<T> s) {
  return detail::unary_elementwise("scale", x, [s](T v) { return v * s; }, [s](T, T) { return s; });
}

/// x * s for a one-element variable s (any rank), differentiable in both: the
/// gate of a weighted mixture of candidate ops.
template <Scalar T>
BasicVariable<T> scale(const BasicVariable<T>& x, const BasicVariable<T>& s) {
  HWNAS_CHECK_SHAPE(s.numel() == 1, "scale: the factor must have one element, got shape {} (input {})", s.shape(),
                    x.shape());
  auto out = BasicTensor<T>::uninitialized(x.shape());
  out.array() = x.value().array() * s.item();
  return BasicVariable<T>::make_result("scale", std::move(out), {&x, &s}, [](auto& node) {
    const BasicTensor<T>& xv = node.input_value(0);
    const BasicTensor<T>& sv = node.input_value(1);
    if (node.needs_input_grad(0)) node.input_grad(0).array() += node.grad.array() * sv[0];
    if (node.needs_input_grad(1)) {
      // Accumulated in double: the factor gathers a contribution from every element.
      const double total = (node.grad.array().template cast<double>() * xv.array().template cast<double>()).sum();
      node.input_grad(1)[0] += static_cast<T>(total);
    }
  });
}

/// max(x, 0); relu'(0) = 0.
template <Scalar T>
BasicVariable<T> relu(const BasicVariable<T>& x) {
  return detail::unary_elementwise(
      "relu", x, [](T v) { return std::max(v, T{0}); }, [](T v, T) { return v > T{0} ? T{1} : T{0}; });
}

/// min(max(x, 0), 6); the gradient is 1 only for 0 < x < 6.
template <Scalar T>
BasicVariable<T> relu6(const BasicVariable<T>& x) {
  return detail::unary_elementwise(
      "relu6", x, [](T v) { return detail::relu6_value(v); },
      [](T v, T) { return v > T{0} && v < T{6} ? T{1} : T{0}; });
}

/// Hard sigmoid relu6(x + 3) / 6; the gradient is 1/6 only for -3 < x < 3.
template <Scalar T>
BasicVariable<T> hsigmoid(const BasicVariable<T>& x) {
  return detail::unary_elementwise(
      "hsigmoid", x, [](T v) { return detail::relu6_value(v + T{3}) / T{6}; },
      [](T v, T) { return v > T{-3} && v < T{3} ? T{1} / T{6} : T{0}; });
}

/// Hard swish x * relu6(x + 3) / 6; the gradient is 0 for x <= -3,
/// (2x + 3) / 6 for -3 < x < 3 and 1 for x >= 3.
template <Scalar T>
BasicVariable<T> hswish(const BasicVariable<T>& x) {
  return detail::unary_elementwise(
      "hswish", x, [](T v) { return v * detail::relu6_value(v + T{3}) / T{6}; },
      [](T v, T) {
        if (v <= T{-3}) return T{0};
        if (v >= T{3}) return T{1};
        return (T{2} * v + T{3}) / T{6};
      });
}

/// 1 / (1 + exp(-x)), evaluated without overflow for large |x|.
template <Scalar T>
BasicVariable<T> sigmoid(const BasicVariable<T>& x) {
  return detail::unary_elementwise(
      "sigmoid", x,
      [](T v) {
        if (v >= T{0}) return T{1} / (T{1} + std::exp(-v));
        const T e = std::exp(v);
        return e / (T{1} + e);
      },
      [](T, T y) { return y * (T{1} - y); });
}

/// Squeeze-and-excite scaling: out[n, c, h, w] = x[n, c, h, w] * s[n, c, 0, 0]
/// for x of shape [N, C, H, W] and s of shape [N, C, 1, 1]; differentiable in both.
template <Scalar T>
BasicVariable<T> channel_mul(const BasicVariable<T>& x, const BasicVariable<T>& s) {
  HWNAS_CHECK_SHAPE(x.dim() == 4, "channel_mul: expected NCHW input, got {}", x.shape());
  HWNAS_CHECK_SHAPE(s.shape() == Shape({x.size(0), x.size(1), 1, 1}),
                    "channel_mul: scales of shape {} do not fit input {} (expected [{}, {}, 1, 1])", s.shape(),
                    x.shape(), x.size(0), x.size(1));
  const std::int64_t planes = x.size(0) * x.size(1);
  auto out = BasicTensor<T>::uninitialized(x.shape());
  if (planes > 0 && out.numel() > 0) {
    out.matrix(planes).array() = x.value().matrix(planes).array().colwise() * s.value().array();
  }
  return BasicVariable<T>::make_result("channel_mul", std::move(out), {&x, &s}, [planes](auto& node) {
    if (planes == 0 || node.grad.numel() == 0) return;
    const auto g = node.grad.matrix(planes).array();
    if (node.needs_input_grad(0)) node.input_grad(0).matrix(planes).array() += g.colwise() * node.input_value(1).array();
    if (node.needs_input_grad(1)) {
      const auto xv = node.input_value(0).matrix(planes).array();
      node.input_grad(1).array() +=
          (g.template cast<double>() * xv.template cast<double>()).rowwise().sum().template cast<T>();
    }
  });
}

}  // namespace hwnas
