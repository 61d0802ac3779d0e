// grad_norm and snip: equal to zero-cost-nas's computation
// (tests/golden/gradient_proxies.py) on fixed weights and data, and usable
// as estimators over a space.

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/data/synthetic.hpp"
#include "hwnas/estimate/gradient_proxies.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "golden/golden.hpp"
#include "support/expect.hpp"

namespace hwnas::estimate {
namespace {

TEST(GradientProxies, MatchZeroCostNas) {
  const auto golden = testing::golden_file("gradient_proxies");
  nn::Sequential net;
  net.emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 4, 3}.padding(1).bias(false));
  net.emplace_back<nn::BatchNorm2d>(4);
  net.emplace_back<nn::ReLU>();
  net.emplace_back<nn::Conv2d>(nn::Conv2dSpec{4, 6, 3}.stride(2).padding(1));
  net.emplace_back<nn::BatchNorm2d>(6);
  net.emplace_back<nn::ReLU>();
  net.emplace_back<nn::GlobalAvgPool2d>();
  net.emplace_back<nn::Flatten>();
  net.emplace_back<nn::Linear>(6, 3);
  for (const auto& [name, value] : golden["parameters"].items())
    net.set_parameter(name, Variable(testing::golden_tensor<float>(value), true));
  const ProxyBatch batch{testing::golden_tensor<float>(golden["x"]),
                         golden["labels"].get<std::vector<std::int32_t>>()};
  const WeightGradientScores scores = weight_gradient_scores(net, batch);
  EXPECT_NEAR(scores.grad_norm, golden["grad_norm"].get<double>(), 1e-4 * golden["grad_norm"].get<double>());
  EXPECT_NEAR(scores.snip, golden["snip"].get<double>(), 1e-4 * golden["snip"].get<double>());
  for (const auto& p : net.named_parameters()) EXPECT_FALSE(p.variable.has_grad()) << "gradients are cleared";
}

const data::LabelledImages& images() {
  static const auto set = data::make_synthetic(data::SyntheticSpec{}.samples(64).height(28).width(28).seed(2));
  return set;
}

TEST(GradientProxies, EstimatorsAreDeterministicAndCheckTheInputShape) {
  auto batch = std::make_shared<const ProxyBatch>(proxy_batch(images(), 16, 1));
  EXPECT_EQ(batch->images.shape(), (Shape{16, 1, 28, 28}));
  const space::OfaFmnistSpace ofa;
  using Proxy = GradientProxy<space::OfaFmnistSpace>;
  Proxy snip(ofa, Proxy::Kind::snip, batch, 5);
  Proxy grad_norm(ofa, Proxy::Kind::grad_norm, batch, 5);
  Rng rng(3);
  const auto arch = ofa.sample(rng);
  const Estimate a = snip.estimate(arch);
  EXPECT_EQ(snip.estimate(arch).value, a.value);
  EXPECT_GT(a.value, 0.0);
  EXPECT_NE(grad_norm.estimate(arch).value, a.value);
  EXPECT_EQ(a.cost.images, 16);
  EXPECT_EQ(grad_norm.name(), "grad_norm");

  const space::Nb201Space nb201;  // 3x32x32 inputs
  GradientProxy<space::Nb201Space> wrong(nb201, GradientProxy<space::Nb201Space>::Kind::snip, batch);
  testing::expect_error_containing<ConfigError>([&] { (void)wrong.estimate(nb201.sample(rng)); },
                                                "the architecture takes [3, 32, 32] images, the data has [16, 1, 28, 28]");
}

TEST(GradientProxies, BatchesAreSeededAndBounded) {
  EXPECT_EQ(proxy_batch(images(), 8, 4).labels, proxy_batch(images(), 8, 4).labels);
  EXPECT_NE(proxy_batch(images(), 8, 4).labels, proxy_batch(images(), 8, 5).labels);
  testing::expect_error_containing<ConfigError>([] { (void)proxy_batch(images(), 65, 0); }, "needs 1 to 64 images");
}

}  // namespace
}  // namespace hwnas::estimate
