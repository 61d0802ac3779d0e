// Initialisation schemes and the per-layer default init.

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "hwnas/nn.hpp"
#include "support/printers.hpp"

namespace hwnas::nn {
namespace {

struct Moments {
  double mean = 0.0;
  double stddev = 0.0;
  double min = 0.0;
  double max = 0.0;
};

Moments moments(const Tensor& t) {
  Moments m{0.0, 0.0, t[0], t[0]};
  for (float v : t.values()) {
    m.mean += v;
    m.min = std::min<double>(m.min, v);
    m.max = std::max<double>(m.max, v);
  }
  m.mean /= static_cast<double>(t.numel());
  for (float v : t.values()) m.stddev += (v - m.mean) * (v - m.mean);
  m.stddev = std::sqrt(m.stddev / static_cast<double>(t.numel()));
  return m;
}

TEST(Init, Fans) {
  EXPECT_EQ(init::fan_in(Shape{8, 4, 3, 3}), 36);
  EXPECT_EQ(init::fan_out(Shape{8, 4, 3, 3}), 72);
  EXPECT_EQ(init::fan_in(Shape{10, 192}), 192);
  EXPECT_EQ(init::fan_out(Shape{10, 192}), 10);
  // Depthwise: fan_out is out * k * k, as in PyTorch.
  EXPECT_EQ(init::fan_out(Shape{32, 1, 5, 5}), 800);
  EXPECT_THROW((void)init::fan_in(Shape{5}), ShapeError);
}

TEST(Init, KaimingNormalHasHeStddev) {
  Rng rng(1);
  Tensor w(Shape{64, 32, 3, 3});
  init::kaiming_normal(w, rng);
  const auto m = moments(w);
  EXPECT_NEAR(m.mean, 0.0, 0.005);
  EXPECT_NEAR(m.stddev, std::sqrt(2.0 / (64 * 9)), 0.002);
  init::kaiming_normal(w, rng, init::FanMode::fan_in, 1.0);
  EXPECT_NEAR(moments(w).stddev, std::sqrt(1.0 / (32 * 9)), 0.002);
}

TEST(Init, KaimingUniformBounds) {
  Rng rng(2);
  Tensor w(Shape{64, 48});
  init::kaiming_uniform(w, rng);
  const double bound = std::sqrt(2.0) * std::sqrt(3.0 / 48);
  const auto m = moments(w);
  EXPECT_GE(m.min, -bound);
  EXPECT_LT(m.max, bound);
  EXPECT_GT(m.max, 0.95 * bound);
  EXPECT_NEAR(m.stddev, bound / std::sqrt(3.0), 0.01);
}

TEST(Init, NormalUniformZerosOnes) {
  Rng rng(3);
  Tensor t(Shape{10000});
  init::normal(t, rng, 1.5, 0.5);
  EXPECT_NEAR(moments(t).mean, 1.5, 0.02);
  EXPECT_NEAR(moments(t).stddev, 0.5, 0.02);
  init::uniform(t, rng, 2.0, 3.0);
  EXPECT_GE(moments(t).min, 2.0);
  EXPECT_LT(moments(t).max, 3.0);
  init::zeros(t);
  EXPECT_EQ(t, Tensor(Shape{10000}));
  init::ones(t);
  EXPECT_EQ(t, Tensor(Shape{10000}, 1.0F));
  EXPECT_THROW(init::normal(t, rng, 0.0, -1.0), ConfigError);
  EXPECT_THROW(init::uniform(t, rng, 1.0, 0.0), ConfigError);
}

TEST(Init, DefaultInitPerLayerType) {
  Sequential net;
  auto conv = net.emplace_back<Conv2d>(Conv2dSpec{16, 32, 3});
  auto bn = net.emplace_back<BatchNorm2d>(32);
  auto fc = net.emplace_back<Linear>(200, 50);
  bn->weight().value().fill(3.0F);
  bn->bias().value().fill(3.0F);
  conv->bias().value().fill(3.0F);
  fc->bias().value().fill(3.0F);
  bn->running_mean().fill(5.0F);
  Rng rng(4);
  init::default_init(net, rng);

  EXPECT_NEAR(moments(conv->weight().value()).stddev, std::sqrt(2.0 / (32 * 9)), 0.005);
  EXPECT_EQ(conv->bias().value(), Tensor(Shape{32}));
  EXPECT_EQ(bn->weight().value(), Tensor(Shape{32}, 1.0F));
  EXPECT_EQ(bn->bias().value(), Tensor(Shape{32}));
  EXPECT_EQ(bn->running_mean(), Tensor(Shape{32}, 5.0F));  // buffers are not parameters
  EXPECT_NEAR(moments(fc->weight().value()).stddev, 0.01, 0.001);
  EXPECT_EQ(fc->bias().value(), Tensor(Shape{50}));
}

TEST(Init, DefaultInitIsReproducible) {
  const auto make = [] {
    auto net = std::make_shared<Sequential>();
    net->emplace_back<Conv2d>(Conv2dSpec{3, 8, 3});
    net->emplace_back<SqueezeExcite>(8, 8);
    net->emplace_back<Linear>(8, 4);
    return net;
  };
  auto a = make();
  auto b = make();
  Rng ra(9);
  Rng rb(9);
  init::default_init(*a, ra);
  init::default_init(*b, rb);
  const auto pa = a->named_parameters();
  const auto pb = b->named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].variable.value(), pb[i].variable.value()) << pa[i].name;
  EXPECT_NE(pa[0].variable.value(), Tensor(pa[0].variable.shape()));
}

}  // namespace
}  // namespace hwnas::nn
