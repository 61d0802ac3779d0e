// Network builders: the MobileNet builder reproduces the parameter and MAC
// counts the `ofa-fmnist` space specifies for its largest and smallest
// architectures; built-in networks run and reject unknown names.

#include <gtest/gtest.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/models.hpp"
#include "hwnas/nn/init.hpp"
#include "support/expect.hpp"

namespace hwnas::models {
namespace {

/// An `ofa-fmnist` architecture with every block at (kernel, expand) and
/// `depth` blocks per stage, at resolution `r`.
MobileNetConfig ofa_fmnist(std::int64_t kernel, std::int64_t expand, std::size_t depth, std::int64_t r) {
  const std::vector<MBConvChoice> blocks(depth, MBConvChoice{kernel, expand});
  return fmnist_mobilenet({blocks, blocks, blocks, blocks}, /*se=*/true, r);
}

std::int64_t count_macs(nn::Module& net, std::int64_t size = 28) {
  NoGradGuard no_grad;
  net.eval();
  MacCounter counter;
  const Variable logits = net(Variable(Tensor(Shape{1, 1, size, size})));
  EXPECT_EQ(logits.shape(), (Shape{1, 10}));
  return counter.macs();
}

TEST(MobileNet, LargestOfaFmnistMatchesTheSpec) {
  auto net = mobilenet(ofa_fmnist(7, 6, 4, 28));
  EXPECT_EQ(net->num_parameters(), 1'789'930);
  EXPECT_EQ(count_macs(*net), 30'958'176);
}

TEST(MobileNet, SmallestOfaFmnistMatchesTheSpec) {
  auto net = mobilenet(ofa_fmnist(3, 3, 2, 20));
  EXPECT_EQ(net->num_parameters(), 291'642);
  EXPECT_EQ(count_macs(*net), 2'940'888);
  EXPECT_EQ(net->named_children().front().name, "resize");
}

/// The summary's totals must agree with the built network: parameters with
/// `num_parameters`, MACs with what the ops count when it runs.
void expect_summary_matches_network(const MobileNetConfig& config) {
  const auto layers = mobilenet_summary(config);
  auto net = mobilenet(config);
  EXPECT_EQ(total_params(layers), net->num_parameters());
  EXPECT_EQ(total_macs(layers), count_macs(*net));
  EXPECT_EQ(layers.back().output, (Shape{config.classes}));
}

TEST(MobileNetSummary, AgreesWithTheBuiltNetworkAtEveryResolution) {
  for (const std::int64_t r : {20, 24, 28, 32}) {
    SCOPED_TRACE(r);
    expect_summary_matches_network(ofa_fmnist(7, 6, 4, r));
    expect_summary_matches_network(ofa_fmnist(3, 3, 2, r));
    auto mixed = mbconv_config();
    mixed.resolution = r;
    expect_summary_matches_network(mixed);
  }
}

TEST(MobileNet, DoublePrecisionNetworkComputesTheSameFunction) {
  const auto config = ofa_fmnist(5, 4, 2, 24);
  auto single = mobilenet(config);
  auto twin = mobilenet<double>(config);
  Rng rng(4);
  nn::init::default_init(*single, rng);
  const auto from = single->named_parameters();
  const auto to = twin->named_parameters();
  ASSERT_EQ(from.size(), to.size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    ASSERT_EQ(from[i].name, to[i].name);
    twin->set_parameter(to[i].name, VariableD(from[i].variable.value().cast<double>(), true));
  }
  Tensor x(Shape{2, 1, 28, 28});
  for (std::int64_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(std::sin(0.1 * static_cast<double>(i)));
  const Tensor y = (*single)(Variable(x)).value();
  const TensorD y2 = (*twin)(VariableD(x.cast<double>())).value();
  for (std::int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(y[i], y2[i], 1e-4);
}

TEST(MobileNetSummary, RowsDescribeEachLayer) {
  const auto layers = mobilenet_summary(ofa_fmnist(5, 4, 2, 24));
  ASSERT_EQ(layers.size(), 1U + 1U + 8U + 3U);  // resize, stem, 8 blocks, head conv, pool, classifier
  EXPECT_EQ(layers[0].type, "resize");
  EXPECT_EQ(layers[0].output, (Shape{1, 24, 24}));
  EXPECT_EQ(layers[1].output, (Shape{16, 12, 12}));
  const LayerSummary& block = layers[4];  // stage 2, first block
  EXPECT_EQ(block.type, "mbconv");
  EXPECT_EQ(block.input, (Shape{24, 12, 12}));
  EXPECT_EQ(block.output, (Shape{40, 6, 6}));
  EXPECT_EQ(block.kernel, 5);
  EXPECT_EQ(block.stride, 2);
  EXPECT_EQ(block.expand, 4);
  EXPECT_TRUE(block.se);
  EXPECT_FALSE(block.residual);
  EXPECT_TRUE(layers[5].residual);
  EXPECT_EQ(layers[5].activation, "relu");
  // One block by hand: mid 96, se make_divisible(24, 8) = 24.
  const std::int64_t mid = 96;
  EXPECT_EQ(block.macs, 12 * 12 * 24 * mid + 6 * 6 * mid * 25 + 2 * mid * 24 + 6 * 6 * mid * 40);
  EXPECT_EQ(block.params, (24 * mid + 2 * mid) + (mid * 25 + 2 * mid) + (2 * mid * 24 + 24 + mid) + (mid * 40 + 80));
}

TEST(MobileNet, RejectsEmptyStages) {
  MobileNetConfig config;
  testing::expect_error_containing<ConfigError>([&] { (void)mobilenet(config); }, "at least one stage");
  config.stages = {{24, 1, nn::Activation::relu, false, {}}};
  testing::expect_error_containing<ConfigError>([&] { (void)mobilenet(config); }, "stage 0 needs");
  testing::expect_error_containing<ConfigError>([] { (void)fmnist_mobilenet({{{3, 3}}}); },
                                                "needs blocks for 4 stages, got 1");
}

TEST(MacCounter, CountsOnlyWhileAliveAndNests) {
  auto net = builtin("resnet");
  const std::int64_t once = count_macs(*net);
  EXPECT_GT(once, 0);
  NoGradGuard no_grad;
  MacCounter outer;
  {
    MacCounter inner;
    (void)(*net)(Variable(Tensor(Shape{2, 1, 28, 28})));
    EXPECT_EQ(inner.macs(), 2 * once);
  }
  (void)(*net)(Variable(Tensor(Shape{1, 1, 28, 28})));
  EXPECT_EQ(outer.macs(), 3 * once);
}

TEST(Builtin, EveryNetworkRunsForwardAndBackward) {
  for (const auto& name : builtin_names()) {
    SCOPED_TRACE(name);
    auto net = builtin(name);
    Rng rng(0);
    nn::init::default_init(*net, rng);
    Tensor images(Shape{2, 1, 28, 28});
    for (auto& v : images.values()) v = static_cast<float>(rng.uniform(-1.0, 1.0));
    Variable loss = cross_entropy((*net)(Variable(images)), std::vector<std::int32_t>{3, 7});
    loss.backward();
    for (const auto& p : net->named_parameters()) EXPECT_TRUE(p.variable.has_grad()) << p.name;
  }
}

TEST(Builtin, UnknownNameListsTheKnownOnes) {
  testing::expect_error_message<ConfigError>([] { (void)builtin("vgg"); },
                                             "unknown built-in network 'vgg'; known: mbconv, resnet");
}

}  // namespace
}  // namespace hwnas::models
