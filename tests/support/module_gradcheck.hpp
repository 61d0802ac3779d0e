#pragma once
// Gradient checks of a module with respect to its input and every parameter.
//
// The module's parameters are swapped for the checker's own variables
// (`set_parameter`), so central differences and the module's backward pass
// see the same values; the original parameters are put back afterwards.

#include <functional>
#include <vector>

#include "hwnas/nn/init.hpp"
#include "hwnas/nn/module.hpp"
#include "support/gradcheck.hpp"

namespace hwnas::testing {

/// Batch norm sums many terms per gradient element; central differences on
/// networks containing it are a little less exact.
inline GradcheckOptions loose_tolerance() {
  GradcheckOptions options;
  options.abs_tol = 1e-5;
  options.rel_tol = 1e-4;
  return options;
}

/// Parameters drawn uniformly instead of from the default init, so that
/// biases and BN shifts are non-zero and every gradient path carries signal.
inline void randomise_parameters(nn::BasicModule<double>& module, Rng& rng) {
  for (auto& p : module.named_parameters()) nn::init::uniform(p.variable.value(), rng, -1.0, 1.0);
}

/// Runs `expect_gradients_match` on `module(input)` with inputs {input, parameters...}.
/// `before_forward` runs before every forward pass (e.g. to reseed a dropout mask).
inline void expect_module_gradients_match(nn::BasicModule<double>& module, const TensorD& input,
                                          GradcheckOptions options = {},
                                          const std::function<void()>& before_forward = {}) {
  const auto params = module.named_parameters();
  std::vector<TensorD> inputs{input};
  for (const auto& p : params) inputs.push_back(p.variable.value());
  expect_gradients_match(
      [&](const std::vector<VariableD>& v) {
        for (std::size_t i = 0; i < params.size(); ++i) module.set_parameter(params[i].name, v[i + 1]);
        if (before_forward) before_forward();
        return module(v[0]);
      },
      inputs, options);
  for (const auto& p : params) module.set_parameter(p.name, p.variable);
}

}  // namespace hwnas::testing
