// Net2Net on plain networks: widening and deepening keep the function (in
// evaluation mode, and in training mode for widening), the new layers have
// the asked shapes, and transforms that cannot keep the function are
// ConfigErrors naming the problem.

#include <memory>

#include <gtest/gtest.h>

#include "hwnas/inherit/net2net.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/flatten.hpp"
#include "hwnas/nn/pool.hpp"
#include "inherit/function_checks.hpp"
#include "support/expect.hpp"

namespace hwnas::inherit {
namespace {

using testing::expect_error_containing;

/// conv -> BN -> ReLU -> depthwise conv -> BN -> ReLU -> conv -> HSwish ->
/// flatten -> linear -> ReLU -> linear, on [N, 3, 6, 6] inputs.
template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> plain_net(std::uint64_t seed) {
  auto net = std::make_shared<nn::BasicSequential<T>>();
  net->add("conv1", std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{3, 4, 3}.padding(1)));
  net->add("bn1", std::make_shared<nn::BasicBatchNorm2d<T>>(4));
  net->add("relu1", std::make_shared<nn::BasicReLU<T>>());
  net->add("dw", std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{4, 4, 3}.padding(1).groups(4)));
  net->add("bn2", std::make_shared<nn::BasicBatchNorm2d<T>>(4));
  net->add("relu2", std::make_shared<nn::BasicReLU<T>>());
  net->add("conv2", std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{4, 5, 3}.stride(2).padding(1)));
  net->add("act3", std::make_shared<nn::BasicHSwish<T>>());
  net->add("flatten", std::make_shared<nn::BasicFlatten<T>>());
  net->add("fc1", std::make_shared<nn::BasicLinear<T>>(5 * 3 * 3, 6));
  net->add("relu4", std::make_shared<nn::BasicReLU<T>>());
  net->add("fc2", std::make_shared<nn::BasicLinear<T>>(6, 3));
  testing::randomise(*net, seed);
  // Non-zero biases, so that copying them is checked too.
  Rng rng(seed + 1);
  for (auto& p : net->named_parameters())
    if (p.kind == nn::ParameterKind::bias) nn::init::uniform(p.variable.value(), rng, -0.5, 0.5);
  return net;
}

const Shape input_shape{4, 3, 6, 6};

TEST(WideningMap, KeepsTheOldUnitsAndCountsReplicas) {
  Rng rng(1);
  const WideningMap map = widening_map(4, 9, rng);
  ASSERT_EQ(map.new_width(), 9);
  ASSERT_EQ(map.old_width(), 4);
  for (std::int64_t j = 0; j < 4; ++j) EXPECT_EQ(map.source[static_cast<std::size_t>(j)], j);
  std::vector<std::int64_t> counts(4, 0);
  for (const auto g : map.source) ++counts[static_cast<std::size_t>(g)];
  EXPECT_EQ(counts, map.replicas);
  Rng again(1);
  EXPECT_EQ(widening_map(4, 9, again).source, map.source) << "seeded";
  expect_error_containing<ConfigError>([&] { (void)widening_map(4, 3, rng); }, "at least the old width");
}

TEST(WideningMap, WidensRowsAndDividesColumns) {
  WideningMap map;
  map.source = {0, 1, 1};
  map.replicas = {1, 2};
  const TensorD t(Shape{2, 2}, {1.0, 2.0, 3.0, 4.0});
  EXPECT_EQ(widen_rows(t, map), TensorD(Shape{3, 2}, {1.0, 2.0, 3.0, 4.0, 3.0, 4.0}));
  EXPECT_EQ(widen_columns(t, map, Division::by_replicas), TensorD(Shape{2, 3}, {1.0, 1.0, 1.0, 3.0, 2.0, 2.0}));
  EXPECT_EQ(widen_columns(t, map, Division::none), TensorD(Shape{2, 3}, {1.0, 2.0, 2.0, 3.0, 4.0, 4.0}));
  const TensorD blocks(Shape{1, 4}, {1.0, 2.0, 3.0, 4.0});
  EXPECT_EQ(widen_columns(blocks, map, Division::by_replicas, 2),
            TensorD(Shape{1, 6}, {1.0, 2.0, 1.5, 2.0, 1.5, 2.0}));
  expect_error_containing<ShapeError>([&] { (void)widen_rows(TensorD(Shape{3}), map); }, "expected 2 slices");
}

TEST(Net2Wider, ThroughBatchNormAndDepthwiseConvKeepsTheFunctionInBothModes) {
  auto net = plain_net<double>(3);
  Rng rng(5);
  auto wider = net2wider(*net, "conv1", 7, rng);
  EXPECT_EQ(std::dynamic_pointer_cast<nn::BasicConv2d<double>>(wider->at(0))->weight().shape(), (Shape{7, 3, 3, 3}));
  EXPECT_EQ(std::dynamic_pointer_cast<nn::BasicConv2d<double>>(wider->at(3))->weight().shape(), (Shape{7, 1, 3, 3}));
  EXPECT_EQ(std::dynamic_pointer_cast<nn::BasicConv2d<double>>(wider->at(6))->weight().shape(), (Shape{5, 7, 3, 3}));
  EXPECT_EQ(wider->named_children()[4].name, "bn2");
  testing::expect_same_function_in_modes(*net, *wider, testing::random_input<double>(input_shape, 1), 1e-12, true);
}

TEST(Net2Wider, ThroughFlattenCopiesEachChannelsFeaturesTogether) {
  auto net = plain_net<double>(4);
  Rng rng(6);
  auto wider = net2wider(*net, std::size_t{6}, 9, rng);
  EXPECT_EQ(std::dynamic_pointer_cast<nn::BasicLinear<double>>(wider->at(9))->in_features(), 9 * 3 * 3);
  testing::expect_same_function_in_modes(*net, *wider, testing::random_input<double>(input_shape, 2), 1e-12, true);
}

TEST(Net2Wider, WidensALinearLayerInFloatWithinRounding) {
  auto net = plain_net<float>(5);
  Rng rng(7);
  auto wider = net2wider(*net, "fc1", 15, rng);
  EXPECT_EQ(std::dynamic_pointer_cast<nn::Linear>(wider->at(11))->in_features(), 15);
  testing::expect_same_function_in_modes(*net, *wider, testing::random_input<float>(input_shape, 3), 1e-5, true);
  // Chained: the widened network widens again.
  auto twice = net2wider(*wider, "conv1", 12, rng);
  testing::expect_same_function_in_modes(*net, *twice, testing::random_input<float>(input_shape, 4), 1e-5, true);
}

TEST(Net2Wider, LeavesTheParentUntouchedAndOwnsItsWeights) {
  auto net = plain_net<double>(6);
  Rng rng(8);
  auto wider = net2wider(*net, "conv2", 5, rng);  // the same width: a copy
  const auto before = net->named_parameters()[0].variable.value();
  wider->named_parameters()[0].variable.value().fill(0.0);
  EXPECT_EQ(net->named_parameters()[0].variable.value(), before);
}

TEST(Net2Wider, RejectsTransformsThatCannotKeepTheFunction) {
  auto net = plain_net<double>(7);
  Rng rng(9);
  expect_error_containing<ConfigError>([&] { (void)net2wider(*net, "conv1", 3, rng); },
                                       "layer 'conv1' has 4 outputs; cannot narrow it to 3");
  expect_error_containing<ConfigError>([&] { (void)net2wider(*net, "bn1", 8, rng); },
                                       "layer 'bn1' is a BatchNorm2d, not a conv or linear layer");
  expect_error_containing<ConfigError>([&] { (void)net2wider(*net, "dw", 8, rng); },
                                       "layer 'dw' is a grouped conv (groups 4)");
  expect_error_containing<ConfigError>([&] { (void)net2wider(*net, "fc2", 8, rng); },
                                       "no conv or linear layer after 'fc2' takes its outputs");
  expect_error_containing<ConfigError>([&] { (void)net2wider(*net, std::size_t{12}, 8, rng); },
                                       "layer index 12 is out of range for a network of 12 layers");
  expect_error_containing<ConfigError>([&] { (void)net2wider(*net, "nope", 8, rng); }, "no layer named 'nope'");
}

TEST(Net2Deeper, InsertsAnIdentityConvAfterAReLU) {
  auto net = plain_net<double>(8);
  auto deeper = net2deeper(*net, "relu1", 5);
  ASSERT_EQ(deeper->size(), net->size() + 3);
  EXPECT_EQ(deeper->named_children()[3].name, "relu1_identity");
  EXPECT_EQ(deeper->named_children()[4].name, "relu1_identity_bn");
  EXPECT_EQ(deeper->named_children()[5].name, "relu1_identity_act");
  EXPECT_EQ(std::dynamic_pointer_cast<nn::BasicConv2d<double>>(deeper->at(3))->weight().shape(), (Shape{4, 4, 5, 5}));
  testing::expect_same_function_in_modes(*net, *deeper, testing::random_input<double>(input_shape, 5), 1e-12, false);
}

TEST(Net2Deeper, InsertsAnIdentityLinearLayerInFloat) {
  auto net = plain_net<float>(9);
  auto deeper = net2deeper(*net, "relu4");
  EXPECT_EQ(deeper->named_children()[11].name, "relu4_identity");
  EXPECT_NE(std::dynamic_pointer_cast<nn::Linear>(deeper->at(11)), nullptr);
  testing::expect_same_function_in_modes(*net, *deeper, testing::random_input<float>(input_shape, 6), 1e-5, false);
}

TEST(Net2Deeper, RenumbersNetworksNamedByPosition) {
  nn::BasicSequential<double> net;
  net.emplace_back<nn::BasicConv2d<double>>(nn::Conv2dSpec{2, 3, 3}.padding(1));
  net.emplace_back<nn::BasicReLU6<double>>();
  net.emplace_back<nn::BasicGlobalAvgPool2d<double>>();
  net.emplace_back<nn::BasicFlatten<double>>();
  net.emplace_back<nn::BasicLinear<double>>(3, 2);
  testing::randomise(net, 10);
  auto deeper = net2deeper(net, std::size_t{1});
  ASSERT_EQ(deeper->size(), 8U);
  for (std::size_t i = 0; i < deeper->size(); ++i) EXPECT_EQ(deeper->named_children()[i].name, std::to_string(i));
  EXPECT_EQ(deeper->at(4)->type_name(), "ReLU6") << "the inserted layer repeats the activation";
  testing::expect_same_function_in_modes(net, *deeper, testing::random_input<double>(Shape{3, 2, 5, 5}, 7), 1e-12,
                                         false);
}

TEST(Net2Deeper, RejectsLayersThatAreNotAnIdempotentActivation) {
  auto net = plain_net<double>(11);
  expect_error_containing<ConfigError>([&] { (void)net2deeper(*net, "bn1"); },
                                       "layer 'bn1' is a BatchNorm2d, not a ReLU or ReLU6");
  expect_error_containing<ConfigError>([&] { (void)net2deeper(*net, "act3"); },
                                       "layer 'act3' is a HSwish, not a ReLU or ReLU6");
  expect_error_containing<ConfigError>([&] { (void)net2deeper(*net, "relu1", 4); }, "odd kernel");
  nn::BasicSequential<double> bare;
  bare.add("relu", std::make_shared<nn::BasicReLU<double>>());
  expect_error_containing<ConfigError>([&] { (void)net2deeper(bare, "relu"); },
                                       "no conv, batch norm or linear layer before 'relu'");
}

}  // namespace
}  // namespace hwnas::inherit
