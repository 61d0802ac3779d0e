// Zen-score: equal to the official computation (tests/golden/zen_score.py)
// on fixed weights and inputs, residual links removed, deterministic for a
// seed, and ranking wider networks higher.

#include <array>
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/estimate/zen_score.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "golden/golden.hpp"
#include "support/expect.hpp"

namespace hwnas::estimate {
namespace {

/// The reference script's network, with pooling and a classifier after it.
std::shared_ptr<nn::Sequential> golden_network() {
  auto net = std::make_shared<nn::Sequential>();
  net->emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 4, 3}.padding(1).bias(false));
  net->emplace_back<nn::BatchNorm2d>(4);
  net->emplace_back<nn::ReLU>();
  net->emplace_back<nn::Conv2d>(nn::Conv2dSpec{4, 6, 3}.stride(2).padding(1));
  net->emplace_back<nn::BatchNorm2d>(6);
  net->emplace_back<nn::ReLU>();
  net->add("pool", std::make_shared<nn::GlobalAvgPool2d>());
  net->add("flatten", std::make_shared<nn::Flatten>());
  net->add("classifier", std::make_shared<nn::Linear>(6, 3));
  return net;
}

TEST(ZenScore, MatchesTheOfficialComputation) {
  const auto golden = testing::golden_file("zen_score");
  for (const auto& c : golden["cases"]) {
    const bool batch_variance = c["batch_variance"].get<bool>();
    SCOPED_TRACE(batch_variance ? "batch variance" : "official running variance");
    const auto options = ZenScoreOptions{}.mixup_gamma(golden["gamma"].get<double>()).batch_variance(batch_variance);
    auto net = golden_network();
    for (std::size_t r = 0; r < golden["repeats"].size(); ++r) {
      const auto& repeat = golden["repeats"][r];
      using testing::golden_tensor;
      net->set_parameter("0.weight", Variable(golden_tensor<float>(repeat["0.weight"]), true));
      net->set_parameter("3.weight", Variable(golden_tensor<float>(repeat["3.weight"]), true));
      const double score =
          zen_score_pass(*net, golden_tensor<float>(repeat["x"]), golden_tensor<float>(repeat["eps"]), options);
      EXPECT_NEAR(score, c["scores"][r].get<double>(), 1e-4) << "repeat " << r;
    }
  }
}

TEST(ZenScore, InitialisationIsGaussianWeightsZeroBiasesUnitBatchNorm) {
  auto net = golden_network();
  Rng rng(1);
  zen_init(*net, rng);
  const Tensor& w = net->named_parameters()[1].variable.value();  // 3.weight
  double sum_sq = 0.0;
  for (std::int64_t i = 0; i < w.numel(); ++i) sum_sq += static_cast<double>(w[i]) * w[i];
  EXPECT_NEAR(sum_sq / static_cast<double>(w.numel()), 1.0, 0.35);
  for (const auto& p : net->named_parameters()) {
    if (p.kind == nn::ParameterKind::bias) {
      for (std::int64_t i = 0; i < p.variable.numel(); ++i) EXPECT_EQ(p.variable.value()[i], 0.0F) << p.name;
    }
  }
}

TEST(ZenScore, IsDeterministicPerSeedAndPrefersWiderNetworks) {
  const space::OfaFmnistSpace space;
  ZenScore<space::OfaFmnistSpace> zen(space, ZenScoreOptions{}.batch(4).repeats(2).seed(3));
  const auto small = space.smallest();
  auto large = space.largest();
  large.r = 28;
  const Estimate a = zen.estimate(small);
  EXPECT_EQ(zen.estimate(small).value, a.value);
  EXPECT_GT(zen.estimate(large).value, a.value);
  EXPECT_EQ(a.cost.forward_passes, 4);
  EXPECT_GT(a.cost.seconds, 0.0);
  ZenScore<space::OfaFmnistSpace> other_seed(space, ZenScoreOptions{}.batch(4).repeats(2).seed(4));
  EXPECT_NE(other_seed.estimate(small).value, a.value);
}

TEST(ZenScore, ScoresThePlainPathWithoutShortcuts) {
  const space::Nb201Space nb201(10, {1, 12, 12});
  Rng rng(5);
  const auto arch = nb201.sample(rng);
  const Shape input{1, 12, 12};
  const auto options = ZenScoreOptions{}.batch(2).repeats(1).seed(3);

  // The shortcuts (the two reduction blocks') change a pass...
  Tensor x(Shape{2, 1, 12, 12});
  Tensor eps(Shape{2, 1, 12, 12});
  nn::init::normal(x, rng);
  nn::init::normal(eps, rng);
  std::array<double, 2> passes{};
  for (const bool shortcuts : {true, false}) {
    auto net = std::dynamic_pointer_cast<nn::Sequential>(nb201.build(arch));
    Rng weights(9);
    zen_init(*net, weights);
    EXPECT_EQ(nn::set_shortcuts(*net, shortcuts), 2U);
    passes[shortcuts ? 0 : 1] = zen_score_pass(*net, x, eps, options);
  }
  EXPECT_NE(passes[0], passes[1]);

  // ...and zen_score switches them off: a network whose shortcuts are already off scores the same.
  auto as_built = nb201.build(arch);
  auto plain = nb201.build(arch);
  nn::set_shortcuts(*plain, false);
  EXPECT_EQ(zen_score(*as_built, input, options).value, zen_score(*plain, input, options).value);
}

TEST(ZenScore, NeedsASequentialWithPooling) {
  nn::Linear linear(4, 2);
  testing::expect_error_containing<ConfigError>([&] { (void)zen_score(linear, Shape{1, 2, 2}, ZenScoreOptions{}); },
                                                "needs a Sequential network");
  auto net = std::make_shared<nn::Sequential>();
  net->emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 2, 3});
  testing::expect_error_containing<ConfigError>(
      [&] { (void)zen_score(*net, Shape{1, 5, 5}, ZenScoreOptions{}.repeats(1)); }, "no layer named 'pool'");
}

}  // namespace
}  // namespace hwnas::estimate
