#pragma once
/// \file
/// Parameter initialisation. Every scheme draws from an explicit `Rng&`, so the
/// same seed gives the same network on every machine.
///
/// `default_init(module, rng)` initialises a whole tree by calling each
/// module's `reset_parameters(rng)`, this module first, then its descendants
/// depth first in registration order. The built-in layers choose:
///
/// | layer        | weight                                      | bias |
/// |--------------|---------------------------------------------|------|
/// | Conv2d       | kaiming_normal, fan_out, ReLU gain sqrt(2)   | 0    |
/// | Linear       | normal(0, 0.01)                              | 0    |
/// | BatchNorm2d  | 1 (scale)                                    | 0    |
///
/// Conv follows torchvision's MobileNet and Once-for-All: fan_out keeps the
/// variance of back-propagated gradients constant through ReLU networks, and
/// depthwise layers get fan_out = out_channels * k * k like theirs. The
/// classifier's small normal(0, 0.01) (torchvision MobileNetV2/V3) makes the
/// initial logits nearly equal, so training starts at loss ~ log(classes)
/// whatever the width of the features feeding it. Batch norm starts as the
/// identity on normalised activations.

#include <cmath>
#include <cstdint>
#include <numbers>

#include "hwnas/core/random.hpp"
#include "hwnas/core/tensor.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::nn::init {

/// Which side of a weight its variance is preserved for.
enum class FanMode { fan_in, fan_out };

/// The gain for ReLU (He et al.): sqrt(2).
inline constexpr double relu_gain = std::numbers::sqrt2;

/// Fan-in of a weight shaped `[out, in, kh, kw...]` (conv) or `[out, in]`
/// (linear): in * receptive field.
[[nodiscard]] inline std::int64_t fan_in(const Shape& shape) {
  HWNAS_CHECK_SHAPE(shape.rank() >= 2, "fan_in: weights need at least 2 dimensions, got {}", shape);
  return shape.numel() / shape[0];
}

/// Fan-out of a weight shaped `[out, in, kh, kw...]` or `[out, in]`:
/// out * receptive field (groups are not divided out, as in PyTorch).
[[nodiscard]] inline std::int64_t fan_out(const Shape& shape) {
  HWNAS_CHECK_SHAPE(shape.rank() >= 2, "fan_out: weights need at least 2 dimensions, got {}", shape);
  return shape.numel() / shape[1];
}

/// Fills `t` from normal(mean, stddev).
template <Scalar T>
void normal(BasicTensor<T>& t, Rng& rng, double mean = 0.0, double stddev = 1.0) {
  HWNAS_CHECK_CONFIG(stddev >= 0.0, "init::normal: stddev must be >= 0, got {}", stddev);
  for (auto& v : t.values()) v = static_cast<T>(rng.normal(mean, stddev));
}

/// Fills `t` from uniform[lo, hi).
template <Scalar T>
void uniform(BasicTensor<T>& t, Rng& rng, double lo = 0.0, double hi = 1.0) {
  HWNAS_CHECK_CONFIG(lo <= hi, "init::uniform: needs lo <= hi, got [{}, {})", lo, hi);
  for (auto& v : t.values()) v = static_cast<T>(rng.uniform(lo, hi));
}

template <Scalar T>
void zeros(BasicTensor<T>& t) {
  t.fill(T{0});
}

template <Scalar T>
void ones(BasicTensor<T>& t) {
  t.fill(T{1});
}

/// He normal: normal(0, gain / sqrt(fan)).
template <Scalar T>
void kaiming_normal(BasicTensor<T>& t, Rng& rng, FanMode mode = FanMode::fan_out, double gain = relu_gain) {
  const auto fan = mode == FanMode::fan_in ? fan_in(t.shape()) : fan_out(t.shape());
  HWNAS_CHECK_SHAPE(fan > 0, "kaiming_normal: weight of shape {} has no elements", t.shape());
  normal(t, rng, 0.0, gain / std::sqrt(static_cast<double>(fan)));
}

/// He uniform: uniform(-b, b) with b = gain * sqrt(3 / fan), the same variance as `kaiming_normal`.
template <Scalar T>
void kaiming_uniform(BasicTensor<T>& t, Rng& rng, FanMode mode = FanMode::fan_in, double gain = relu_gain) {
  const auto fan = mode == FanMode::fan_in ? fan_in(t.shape()) : fan_out(t.shape());
  HWNAS_CHECK_SHAPE(fan > 0, "kaiming_uniform: weight of shape {} has no elements", t.shape());
  const double bound = gain * std::sqrt(3.0 / static_cast<double>(fan));
  uniform(t, rng, -bound, bound);
}

/// Initialises every module of the tree with its layer's default scheme (see
/// the table above): `module` first, then its descendants depth first.
template <Scalar T>
void default_init(BasicModule<T>& module, Rng& rng) {
  module.reset_parameters(rng);
  for (const auto& m : module.named_modules()) m.module->reset_parameters(rng);
}

}  // namespace hwnas::nn::init
