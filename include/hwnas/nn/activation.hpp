#pragma once
/// \file
/// Activation layers: ReLU, ReLU6, HSwish, HSigmoid, Sigmoid. Each is the
/// element-wise op of the same name as a module, so it can sit in a
/// `Sequential`; see `hwnas/core/ops/elementwise.hpp` for the exact functions
/// and their subgradients at kinks.
///
/// `Activation` names the choice where a block's activation is a setting
/// (MBConv stages use ReLU or HSwish), with `make_activation` building it.

#include <memory>
#include <string_view>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/nn/stateless.hpp"

namespace hwnas::nn {
namespace detail {

struct ReLUOp {
  static constexpr std::string_view name = "ReLU";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::relu(x);
  }
};

struct ReLU6Op {
  static constexpr std::string_view name = "ReLU6";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::relu6(x);
  }
};

struct HSwishOp {
  static constexpr std::string_view name = "HSwish";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::hswish(x);
  }
};

struct HSigmoidOp {
  static constexpr std::string_view name = "HSigmoid";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::hsigmoid(x);
  }
};

struct SigmoidOp {
  static constexpr std::string_view name = "Sigmoid";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::sigmoid(x);
  }
};

}  // namespace detail

/// max(x, 0).
template <Scalar T>
using BasicReLU = BasicStatelessLayer<T, detail::ReLUOp>;
/// min(max(x, 0), 6).
template <Scalar T>
using BasicReLU6 = BasicStatelessLayer<T, detail::ReLU6Op>;
/// x * relu6(x + 3) / 6.
template <Scalar T>
using BasicHSwish = BasicStatelessLayer<T, detail::HSwishOp>;
/// relu6(x + 3) / 6.
template <Scalar T>
using BasicHSigmoid = BasicStatelessLayer<T, detail::HSigmoidOp>;
/// 1 / (1 + exp(-x)).
template <Scalar T>
using BasicSigmoid = BasicStatelessLayer<T, detail::SigmoidOp>;

using ReLU = BasicReLU<float>;
using ReLU6 = BasicReLU6<float>;
using HSwish = BasicHSwish<float>;
using HSigmoid = BasicHSigmoid<float>;
using Sigmoid = BasicSigmoid<float>;

/// An activation chosen by configuration.
enum class Activation { relu, relu6, hswish };

/// "relu", "relu6" or "hswish".
[[nodiscard]] constexpr std::string_view activation_name(Activation a) {
  switch (a) {
    case Activation::relu: return "relu";
    case Activation::relu6: return "relu6";
    case Activation::hswish: return "hswish";
  }
  return "?";
}

/// The layer computing `a`.
template <Scalar T>
[[nodiscard]] std::shared_ptr<BasicModule<T>> make_activation(Activation a) {
  switch (a) {
    case Activation::relu: return std::make_shared<BasicReLU<T>>();
    case Activation::relu6: return std::make_shared<BasicReLU6<T>>();
    case Activation::hswish: return std::make_shared<BasicHSwish<T>>();
  }
  throw ConfigError(fmt::format("make_activation: unknown activation {}", static_cast<int>(a)));
}

}  // namespace hwnas::nn
