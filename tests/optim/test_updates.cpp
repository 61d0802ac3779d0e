// One or two optimizer steps against values computed by hand from the
// PyTorch update rules written in sgd.hpp and adam.hpp.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/optim.hpp"
#include "support/printers.hpp"

namespace hwnas::optim {
namespace {

using nn::ParameterKind;
using Params = std::vector<nn::NamedParameter<double>>;

// One-element parameters with value 1, one per kind.
Params scalar_params() {
  Params out;
  for (const auto& [name, kind] : std::vector<std::pair<std::string, ParameterKind>>{
           {"w", ParameterKind::weight}, {"b", ParameterKind::bias}, {"bn", ParameterKind::norm}}) {
    out.push_back({name, VariableD(TensorD(Shape{1}, 1.0), true), kind});
  }
  return out;
}

void set_grads(Params& params, double g) {
  for (auto& p : params) p.variable.grad()[0] = g;
}

double value(const Params& params, std::size_t i) { return params[i].variable.value()[0]; }

TEST(SGD, PlainStep) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1});
  set_grads(params, 0.5);
  sgd.step();
  EXPECT_DOUBLE_EQ(value(params, 0), 0.95);  // 1 - 0.1 * 0.5
  EXPECT_EQ(sgd.steps(0), 1);
}

TEST(SGD, Momentum) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1}.momentum(0.9));
  set_grads(params, 1.0);
  sgd.step();  // buf = 1; p = 1 - 0.1 * 1
  EXPECT_DOUBLE_EQ(value(params, 0), 0.9);
  sgd.zero_grad();
  set_grads(params, 2.0);
  sgd.step();  // buf = 0.9 * 1 + 2 = 2.9; p = 0.9 - 0.29
  EXPECT_DOUBLE_EQ(value(params, 0), 0.61);
}

TEST(SGD, Nesterov) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1}.momentum(0.9).nesterov(true));
  set_grads(params, 1.0);
  sgd.step();  // buf = 1; g = 1 + 0.9 * 1 = 1.9; p = 1 - 0.19
  EXPECT_DOUBLE_EQ(value(params, 0), 0.81);
  sgd.zero_grad();
  set_grads(params, 2.0);
  sgd.step();  // buf = 0.9 + 2 = 2.9; g = 2 + 0.9 * 2.9 = 4.61; p = 0.81 - 0.461
  EXPECT_NEAR(value(params, 0), 0.349, 1e-15);
}

TEST(SGD, DampeningSparesTheFirstStep) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1}.momentum(0.9).dampening(0.5));
  set_grads(params, 1.0);
  sgd.step();  // buf = g = 1 (no dampening on the first step); p = 0.9
  EXPECT_DOUBLE_EQ(value(params, 0), 0.9);
  sgd.zero_grad();
  set_grads(params, 2.0);
  sgd.step();  // buf = 0.9 * 1 + 0.5 * 2 = 1.9; p = 0.9 - 0.19
  EXPECT_DOUBLE_EQ(value(params, 0), 0.71);
}

TEST(SGD, WeightDecayOnEveryKindByDefault) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1}.weight_decay(0.1));
  set_grads(params, 0.5);
  sgd.step();  // g = 0.5 + 0.1 * 1 = 0.6; p = 1 - 0.06
  for (std::size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(value(params, i), 0.94) << params[i].name;
}

TEST(SGD, SkipDecayOnNormAndBias) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1}.weight_decay(0.1).decay_norm_and_bias(false));
  set_grads(params, 0.5);
  sgd.step();
  EXPECT_DOUBLE_EQ(value(params, 0), 0.94);  // weight: decayed
  EXPECT_DOUBLE_EQ(value(params, 1), 0.95);  // bias: 1 - 0.1 * 0.5
  EXPECT_DOUBLE_EQ(value(params, 2), 0.95);  // norm
}

TEST(SGD, ParametersWithoutGradientAreLeftAlone) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1}.momentum(0.9));
  params[0].variable.grad()[0] = 1.0;
  sgd.step();
  EXPECT_DOUBLE_EQ(value(params, 0), 0.9);
  EXPECT_DOUBLE_EQ(value(params, 1), 1.0);
  EXPECT_EQ(sgd.steps(1), 0);
  sgd.zero_grad();
  for (const auto& p : params) EXPECT_FALSE(p.variable.has_grad());
}

TEST(SGD, SetLrTakesEffect) {
  auto params = scalar_params();
  BasicSGD<double> sgd(params, SGDOptions{0.1});
  sgd.set_lr(0.5);
  EXPECT_EQ(sgd.lr(), 0.5);
  set_grads(params, 1.0);
  sgd.step();
  EXPECT_DOUBLE_EQ(value(params, 0), 0.5);
  EXPECT_THROW(sgd.set_lr(-1.0), ConfigError);
}

TEST(SGD, InvalidSettings) {
  EXPECT_THROW(BasicSGD<double>(scalar_params(), SGDOptions{0.1}.nesterov(true)), ConfigError);
  EXPECT_THROW(BasicSGD<double>(scalar_params(), SGDOptions{0.1}.momentum(0.9).dampening(0.1).nesterov(true)),
               ConfigError);
  EXPECT_THROW(BasicSGD<double>(scalar_params(), SGDOptions{-0.1}), ConfigError);
  EXPECT_THROW(BasicSGD<double>(scalar_params(), SGDOptions{0.1}.weight_decay(-1.0)), ConfigError);
  EXPECT_THROW(BasicSGD<double>(Params{}, SGDOptions{0.1}), ConfigError);
  auto twice = scalar_params();
  twice.push_back({"again", twice[0].variable, ParameterKind::weight});
  EXPECT_THROW(BasicSGD<double>(twice, SGDOptions{0.1}), ConfigError);
  auto frozen = scalar_params();
  frozen.push_back({"frozen", VariableD(TensorD(Shape{1}), false), ParameterKind::weight});
  EXPECT_THROW(BasicSGD<double>(frozen, SGDOptions{0.1}), ConfigError);
}

// Two steps from p = 1 with gradients 0.5 then -1, lr 0.1, betas (0.9, 0.999), eps 1e-8.
// Step 1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25: p = 1 - 0.1 * 0.5 / (0.5 + 1e-8).
// Step 2: m = -0.055, v = 0.00124975, m^ = -0.055 / 0.19, v^ = 0.00124975 / 0.001999:
//         p = 0.9 + 0.1 * 0.289473684 / 0.790688...
TEST(Adam, TwoSteps) {
  auto params = scalar_params();
  BasicAdam<double> adam(params, AdamOptions{0.1});
  set_grads(params, 0.5);
  adam.step();
  EXPECT_NEAR(value(params, 0), 0.900000002, 1e-12);
  adam.zero_grad();
  set_grads(params, -1.0);
  adam.step();
  EXPECT_NEAR(value(params, 0), 0.9366103542405654, 1e-12);
  EXPECT_EQ(adam.type_name(), "Adam");
}

// Coupled decay 0.1: the gradients become 0.5 + 0.1 * 1 = 0.6 and -1 + 0.1 * p1.
TEST(Adam, CoupledWeightDecay) {
  auto params = scalar_params();
  BasicAdam<double> adam(params, AdamOptions{0.1}.weight_decay(0.1).decay_norm_and_bias(false));
  set_grads(params, 0.5);
  adam.step();
  EXPECT_NEAR(value(params, 0), 0.9000000016666666, 1e-12);
  adam.zero_grad();
  set_grads(params, -1.0);
  adam.step();
  EXPECT_NEAR(value(params, 0), 0.9252635194456061, 1e-12);
  EXPECT_NEAR(value(params, 1), 0.9366103542405654, 1e-12);  // bias: no decay
}

// Decoupled decay 0.1: p is first shrunk by 1 - 0.1 * 0.1 = 0.99, then updated with the raw gradient.
TEST(AdamW, DecoupledWeightDecay) {
  auto params = scalar_params();
  BasicAdamW<double> adamw(params, AdamOptions{0.1}.weight_decay(0.1));
  set_grads(params, 0.5);
  adamw.step();
  EXPECT_NEAR(value(params, 0), 0.890000002, 1e-12);
  adamw.zero_grad();
  set_grads(params, -1.0);
  adamw.step();
  EXPECT_NEAR(value(params, 0), 0.9177103542205653, 1e-12);
  EXPECT_EQ(adamw.type_name(), "AdamW");
}

TEST(Adam, InvalidSettings) {
  EXPECT_THROW(BasicAdam<double>(scalar_params(), AdamOptions{}.betas(1.0, 0.999)), ConfigError);
  EXPECT_THROW(BasicAdamW<double>(scalar_params(), AdamOptions{}.eps(-1.0)), ConfigError);
  EXPECT_NO_THROW(BasicAdam<double>(scalar_params(), AdamOptions{}.betas(0.0, 0.999)));
}

}  // namespace
}  // namespace hwnas::optim
