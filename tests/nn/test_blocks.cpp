// The composite blocks: MBConv, ResidualBlock, Resize — structure, parameter
// counts and gradient checks in double precision.

#include <gtest/gtest.h>

#include "hwnas/nn.hpp"
#include "support/expect.hpp"
#include "support/module_gradcheck.hpp"

namespace hwnas::nn {
namespace {

using testing::expect_module_gradients_match;
using testing::loose_tolerance;
using testing::random_tensor;
using testing::randomise_parameters;

std::vector<std::string> child_names(const ModuleD& module) {
  std::vector<std::string> names;
  for (const auto& c : module.named_children()) names.push_back(c.name);
  return names;
}

TEST(MakeDivisible, RoundsToNearestMultipleNeverFarBelow) {
  EXPECT_EQ(make_divisible(96.0 / 4.0, 8), 24);
  EXPECT_EQ(make_divisible(84.0 / 4.0, 8), 24);   // 21 -> 24
  EXPECT_EQ(make_divisible(72.0 / 4.0, 8), 24);   // 16 would be > 10% below 18
  EXPECT_EQ(make_divisible(144.0 / 4.0, 8), 40);  // 36 -> 40 (ties round up)
  EXPECT_EQ(make_divisible(3.0, 8), 8);           // never below the divisor
  EXPECT_EQ(make_divisible(11.0, 8), 16);         // 8 would be > 10% below 11
}

TEST(MBConv, ChildrenAndParameterCountFollowTheSpec) {
  const auto spec = MBConvSpec{8, 8, 5}.expand(3).se(true).activation(Activation::hswish);
  BasicMBConv<double> block(spec);
  EXPECT_EQ(child_names(block), (std::vector<std::string>{"expand_conv", "expand_bn", "depthwise_conv", "depthwise_bn",
                                                          "se", "project_conv", "project_bn"}));
  const std::int64_t mid = 24;
  const std::int64_t se = spec.se_channels();
  EXPECT_EQ(se, 8);
  const std::int64_t expected = 8 * mid + 2 * mid + mid * 25 + 2 * mid + (2 * mid * se + se + mid) + mid * 8 + 2 * 8;
  EXPECT_EQ(block.num_parameters(), expected);
  EXPECT_TRUE(spec.residual());
  EXPECT_FALSE(MBConvSpec(8, 8, 3).stride(2).residual());
  EXPECT_FALSE(MBConvSpec(8, 16, 3).residual());
}

TEST(MBConv, ExpandRatioOneHasNoExpansionConv) {
  BasicMBConv<double> block(MBConvSpec{4, 6, 3}.expand(1));
  EXPECT_EQ(child_names(block),
            (std::vector<std::string>{"depthwise_conv", "depthwise_bn", "project_conv", "project_bn"}));
}

TEST(MBConv, OutputShapeWithStride) {
  Rng rng(1);
  BasicMBConv<double> block(MBConvSpec{3, 5, 7}.expand(2).stride(2));
  const auto y = block(VariableD(random_tensor({2, 3, 9, 9}, rng)));
  EXPECT_EQ(y.shape(), (Shape{2, 5, 5, 5}));
}

TEST(MBConv, GradientsWithResidualAndSqueezeExcite) {
  Rng rng(2);
  BasicMBConv<double> block(MBConvSpec{3, 3, 3}.expand(2).se(true).activation(Activation::relu));
  randomise_parameters(block, rng);
  expect_module_gradients_match(block, random_tensor({2, 3, 4, 4}, rng), loose_tolerance());
}

TEST(MBConv, GradientsStridedHSwish) {
  Rng rng(3);
  BasicMBConv<double> block(MBConvSpec{2, 4, 5}.expand(3).stride(2).activation(Activation::hswish));
  randomise_parameters(block, rng);
  expect_module_gradients_match(block, random_tensor({2, 2, 5, 5}, rng), loose_tolerance());
}

TEST(MBConv, RejectsBadSpecs) {
  testing::expect_error_containing<ConfigError>([] { BasicMBConv<double>(MBConvSpec{4, 4, 4}); }, "kernel size must be odd");
  testing::expect_error_containing<ConfigError>([] { BasicMBConv<double>(MBConvSpec{4, 4, 3}.expand(0)); }, "expand ratio");
  BasicMBConv<double> block(MBConvSpec{4, 4, 3});
  testing::expect_error_containing<ShapeError>([&] { block(VariableD(TensorD(Shape{1, 3, 4, 4}))); }, "expected input [N, 4");
}

TEST(ResidualBlock, ShortcutOnlyWhenShapeChanges) {
  EXPECT_EQ(child_names(BasicResidualBlock<double>(4, 4)), (std::vector<std::string>{"conv1", "bn1", "conv2", "bn2"}));
  EXPECT_EQ(child_names(BasicResidualBlock<double>(4, 4, 2)),
            (std::vector<std::string>{"conv1", "bn1", "conv2", "bn2", "shortcut_conv", "shortcut_bn"}));
  BasicResidualBlock<double> widen(4, 8);
  EXPECT_EQ(widen.num_parameters(), 4 * 8 * 9 + 16 + 8 * 8 * 9 + 16 + 4 * 8 + 16);
}

TEST(ResidualBlock, GradientsIdentityShortcut) {
  Rng rng(4);
  BasicResidualBlock<double> block(2, 2);
  randomise_parameters(block, rng);
  expect_module_gradients_match(block, random_tensor({2, 2, 3, 3}, rng), loose_tolerance());
}

TEST(ResidualBlock, GradientsProjectionShortcut) {
  Rng rng(5);
  BasicResidualBlock<double> block(2, 3, 2);
  randomise_parameters(block, rng);
  expect_module_gradients_match(block, random_tensor({2, 2, 4, 4}, rng), loose_tolerance());
}

TEST(Resize, ShapeAndGradients) {
  Rng rng(6);
  BasicResize<double> resize(5, 3);
  EXPECT_EQ(resize(VariableD(random_tensor({1, 2, 4, 4}, rng))).shape(), (Shape{1, 2, 5, 3}));
  expect_module_gradients_match(resize, random_tensor({1, 2, 4, 4}, rng));
  testing::expect_error_containing<ConfigError>([] { BasicResize<double>(0, 3); }, "size must be positive");
}

TEST(Activation, NamesAndLayers) {
  EXPECT_EQ(activation_name(Activation::hswish), "hswish");
  EXPECT_EQ(make_activation<float>(Activation::relu6)->type_name(), "ReLU6");
}

}  // namespace
}  // namespace hwnas::nn
