// Saving and restoring optimizer state: resumed training continues exactly.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "hwnas/core/ops/reduce.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/optim.hpp"
#include "support/expect.hpp"
#include "support/printers.hpp"

namespace hwnas::optim {
namespace {

std::shared_ptr<nn::Sequential> make_net(std::int64_t out = 3) {
  auto net = std::make_shared<nn::Sequential>();
  net->emplace_back<nn::Linear>(4, 5);
  net->emplace_back<nn::ReLU>();
  net->emplace_back<nn::Linear>(5, out);
  Rng rng(11);
  nn::init::default_init(*net, rng);
  for (auto& p : net->named_parameters()) nn::init::uniform(p.variable.value(), rng, -1.0, 1.0);
  return net;
}

// One step on a fixed batch with loss = sum of the outputs, which gives every
// parameter a gradient.
template <class Opt>
void train_step(nn::Sequential& net, Opt& opt) {
  Rng rng(5);
  Tensor x(Shape{6, 4});
  nn::init::normal(x, rng);
  opt.zero_grad();
  Variable loss = sum(net(Variable(x)));
  loss.backward();
  opt.step();
}

template <class Opt, class Options>
void expect_resume_matches(const Options& options) {
  auto a = make_net();
  Opt opt_a(a->named_parameters(), options);
  train_step(*a, opt_a);
  train_step(*a, opt_a);
  const std::string saved_model = nn::state_to_string(*a);
  const std::string saved_opt = opt_a.state_to_string();
  train_step(*a, opt_a);

  auto b = make_net();
  (void)nn::load_state_from_string(*b, saved_model);
  Opt opt_b(b->named_parameters(), options);
  opt_b.load_state_from_string(saved_opt);
  EXPECT_EQ(opt_b.steps(0), 2);
  train_step(*b, opt_b);
  EXPECT_EQ(nn::state_to_string(*b), nn::state_to_string(*a));
}

TEST(OptimizerState, SGDResumesExactly) {
  expect_resume_matches<SGD>(SGDOptions{0.1}.momentum(0.9).nesterov(true).weight_decay(1e-3));
}

TEST(OptimizerState, AdamResumesExactly) { expect_resume_matches<Adam>(AdamOptions{0.01}); }
TEST(OptimizerState, AdamWResumesExactly) { expect_resume_matches<AdamW>(AdamOptions{0.01}.weight_decay(0.1)); }

TEST(OptimizerState, RestoresLearningRateAndUnsteppedParameters) {
  auto net = make_net();
  SGD sgd(net->named_parameters(), SGDOptions{0.1}.momentum(0.9));
  sgd.set_lr(0.025);
  const auto path = std::filesystem::path(::testing::TempDir()) / "hwnas_sgd.state";
  sgd.save_state(path);  // nothing stepped yet: no momentum buffers

  SGD other(net->named_parameters(), SGDOptions{0.1}.momentum(0.9));
  other.load_state(path);
  EXPECT_EQ(other.lr(), 0.025);
  EXPECT_EQ(other.steps(0), 0);
  std::filesystem::remove(path);
}

TEST(OptimizerState, MismatchesAreErrors) {
  auto net = make_net();
  SGD sgd(net->named_parameters(), SGDOptions{0.1}.momentum(0.9));
  train_step(*net, sgd);
  const auto saved = sgd.state_to_string();

  Adam adam(net->named_parameters(), AdamOptions{});
  testing::expect_error_containing<IoError>([&] { adam.load_state_from_string(saved, "opt.state"); }, "it was saved by SGD, not Adam");

  auto narrow = make_net(2);
  SGD other_shapes(narrow->named_parameters(), SGDOptions{0.1}.momentum(0.9));
  testing::expect_error_containing<IoError>([&] { other_shapes.load_state_from_string(saved, "opt.state"); },
               "shape mismatch for tensor '2.weight.momentum_buffer': stored [3, 5], expected [2, 5]");

  auto params = net->named_parameters();
  params.pop_back();
  SGD fewer(params, SGDOptions{0.1}.momentum(0.9));
  testing::expect_error_containing<IoError>([&] { fewer.load_state_from_string(saved, "opt.state"); }, "holds 4 parameters, this optimizer has 3");

  params = net->named_parameters();
  params[0].name = "renamed";
  SGD renamed(params, SGDOptions{0.1}.momentum(0.9));
  testing::expect_error_containing<IoError>([&] { renamed.load_state_from_string(saved, "opt.state"); },
               "parameter 0 is '0.weight' in the state but 'renamed' here");

  auto corrupt = saved;
  corrupt.back() ^= 0x04;
  SGD same(net->named_parameters(), SGDOptions{0.1}.momentum(0.9));
  testing::expect_error_containing<IoError>([&] { same.load_state_from_string(corrupt, "opt.state"); }, "CRC mismatch");
  EXPECT_EQ(same.steps(0), 0);  // failed loads change nothing

  // Model state is not optimizer state.
  testing::expect_error_containing<IoError>([&] { same.load_state_from_string(nn::state_to_string(*net), "opt.state"); }, "metadata lacks");
}

}  // namespace
}  // namespace hwnas::optim
