#pragma once
// Central-difference gradient checks in double precision.
//
// The checked function's output is contracted with fixed random weights, so
// every output element contributes a different amount and a gradient routed
// to the wrong place cannot cancel out.

#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/random.hpp"
#include "support/printers.hpp"

namespace hwnas::testing {

/// A tensor of the given shape with values uniform in [lo, hi), seeded.
inline TensorD random_tensor(const Shape& shape, Rng& rng, double lo = -1.0, double hi = 1.0) {
  TensorD t(shape);
  for (auto& v : t.values()) v = rng.uniform(lo, hi);
  return t;
}

using VarFunction = std::function<VariableD(const std::vector<VariableD>&)>;

struct GradcheckOptions {
  double step = 1e-6;
  double abs_tol = 1e-6;
  double rel_tol = 1e-5;
  std::uint64_t seed = 7;
  /// Inputs whose gradient is not checked (e.g. integer-like or non-differentiable ones).
  std::vector<std::size_t> skip{};
};

/// Expects the autograd gradient of `f` with respect to each input to match central differences.
inline void expect_gradients_match(const VarFunction& f, const std::vector<TensorD>& inputs,
                                   GradcheckOptions options = {}) {
  std::vector<VariableD> vars;
  for (const auto& t : inputs) vars.emplace_back(t, true);
  VariableD out = f(vars);
  Rng rng(options.seed);
  const TensorD weights = random_tensor(out.shape(), rng, 0.5, 1.5);
  out.backward(weights);

  const auto contracted = [&](const std::vector<TensorD>& xs) {
    NoGradGuard no_grad;
    std::vector<VariableD> vs;
    for (const auto& t : xs) vs.emplace_back(t, false);
    const TensorD y = f(vs).value();
    return (y.array() * weights.array()).sum();
  };

  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (std::find(options.skip.begin(), options.skip.end(), i) != options.skip.end()) continue;
    const TensorD& analytic = vars[i].grad();
    std::vector<TensorD> probe = inputs;
    for (std::int64_t j = 0; j < inputs[i].numel(); ++j) {
      const double x0 = inputs[i][j];
      probe[i][j] = x0 + options.step;
      const double up = contracted(probe);
      probe[i][j] = x0 - options.step;
      const double down = contracted(probe);
      probe[i][j] = x0;
      const double numeric = (up - down) / (2.0 * options.step);
      const double tol = options.abs_tol + options.rel_tol * std::abs(numeric);
      ASSERT_NEAR(analytic[j], numeric, tol) << "input " << i << ", element " << j << " of shape "
                                             << fmt::format("{}", inputs[i].shape());
    }
  }
}

}  // namespace hwnas::testing
