#pragma once
/// \file
/// Inverted dropout.

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/random.hpp"

namespace hwnas {

/// Zeroes each element with probability `p` and scales the kept ones by
/// 1 / (1 - p), so that the expected value is unchanged and evaluation needs
/// no rescaling. In evaluation (`training == false`) or with p == 0 it returns
/// `x` itself and draws nothing from `rng`. Otherwise it draws one uniform
/// number per element, in row-major order, so the same seed gives the same
/// mask. The gradient is masked and scaled the same way. `p` must lie in [0, 1)
/// (ConfigError otherwise).
template <Scalar T>
BasicVariable<T> dropout(const BasicVariable<T>& x, double p, Rng& rng, bool training) {
  HWNAS_CHECK_CONFIG(p >= 0.0 && p < 1.0, "dropout: probability must be in [0, 1), got {}", p);
  if (!training || p == 0.0) return x;
  const T keep_scale = static_cast<T>(1.0 / (1.0 - p));
  auto mask = BasicTensor<T>::uninitialized(x.shape());
  for (T& m : mask.values()) m = rng.uniform() < p ? T{0} : keep_scale;
  auto out = BasicTensor<T>::uninitialized(x.shape());
  out.array() = x.value().array() * mask.array();
  return BasicVariable<T>::make_result("dropout", std::move(out), {&x}, [mask = std::move(mask)](auto& node) {
    node.input_grad(0).array() += node.grad.array() * mask.array();
  });
}

}  // namespace hwnas
