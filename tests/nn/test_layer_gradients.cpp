// Central-difference gradient checks of every layer, with respect to the
// input and every parameter, in double precision.

#include <memory>

#include <gtest/gtest.h>

#include "hwnas/nn.hpp"
#include "support/module_gradcheck.hpp"

namespace hwnas::nn {
namespace {

using testing::expect_module_gradients_match;
using testing::loose_tolerance;
using testing::random_tensor;
using testing::randomise_parameters;

TEST(LayerGradients, Conv2dDense) {
  Rng rng(1);
  BasicConv2d<double> conv(Conv2dSpec{3, 4, 3}.stride(2).padding(1));
  randomise_parameters(conv, rng);
  expect_module_gradients_match(conv, random_tensor({2, 3, 5, 5}, rng));
}

TEST(LayerGradients, Conv2dDepthwiseWithoutBias) {
  Rng rng(2);
  BasicConv2d<double> conv(Conv2dSpec{4, 4, 3}.padding(1).groups(4).bias(false));
  randomise_parameters(conv, rng);
  ASSERT_EQ(conv.named_parameters().size(), 1U);
  expect_module_gradients_match(conv, random_tensor({2, 4, 4, 4}, rng));
}

TEST(LayerGradients, Conv2dGrouped) {
  Rng rng(3);
  BasicConv2d<double> conv(Conv2dSpec{4, 6, 1}.groups(2));
  randomise_parameters(conv, rng);
  expect_module_gradients_match(conv, random_tensor({1, 4, 3, 3}, rng));
}

TEST(LayerGradients, Linear) {
  Rng rng(4);
  BasicLinear<double> fc(5, 3);
  randomise_parameters(fc, rng);
  expect_module_gradients_match(fc, random_tensor({4, 5}, rng));
}

TEST(LayerGradients, BatchNorm2dTrain) {
  Rng rng(5);
  BasicBatchNorm2d<double> bn(3);
  randomise_parameters(bn, rng);
  expect_module_gradients_match(bn, random_tensor({2, 3, 2, 3}, rng), loose_tolerance());
}

TEST(LayerGradients, BatchNorm2dEval) {
  Rng rng(6);
  BasicBatchNorm2d<double> bn(3);
  randomise_parameters(bn, rng);
  bn.running_mean() = random_tensor({3}, rng);
  bn.running_var() = random_tensor({3}, rng, 0.5, 2.0);
  bn.eval();
  expect_module_gradients_match(bn, random_tensor({2, 3, 2, 2}, rng));
}

TEST(LayerGradients, BatchNorm2dWithoutAffine) {
  Rng rng(7);
  BasicBatchNorm2d<double> bn(BatchNorm2dSpec{2}.affine(false));
  EXPECT_TRUE(bn.named_parameters().empty());
  expect_module_gradients_match(bn, random_tensor({3, 2, 2, 2}, rng), loose_tolerance());
}

// Inputs are kept away from the kinks, where central differences straddle two pieces.
template <class Layer>
void check_activation(double lo, double hi) {
  Rng rng(8);
  Layer layer;
  TensorD x = random_tensor({2, 3, 2, 2}, rng, lo, hi);
  for (auto& v : x.values())
    if (std::abs(v) < 0.05 || std::abs(std::abs(v) - 3.0) < 0.05 || std::abs(v - 6.0) < 0.05) v += 0.1;
  expect_module_gradients_match(layer, x);
}

TEST(LayerGradients, Activations) {
  check_activation<BasicReLU<double>>(-2.0, 2.0);
  check_activation<BasicReLU6<double>>(-2.0, 8.0);
  check_activation<BasicHSwish<double>>(-5.0, 5.0);
  check_activation<BasicHSigmoid<double>>(-5.0, 5.0);
  check_activation<BasicSigmoid<double>>(-4.0, 4.0);
}

TEST(LayerGradients, Pools) {
  Rng rng(9);
  BasicAvgPool2d<double> avg(Pool2dOptions{}.kernel(3).stride(2).padding(1).count_include_pad(false));
  expect_module_gradients_match(avg, random_tensor({2, 2, 5, 5}, rng));
  BasicMaxPool2d<double> max(Pool2dOptions{}.kernel(2));
  expect_module_gradients_match(max, random_tensor({2, 2, 4, 4}, rng));
  BasicGlobalAvgPool2d<double> gap;
  expect_module_gradients_match(gap, random_tensor({2, 3, 3, 2}, rng));
}

TEST(LayerGradients, SqueezeExcite) {
  Rng rng(10);
  BasicSqueezeExcite<double> se(4, 2);
  randomise_parameters(se, rng);
  expect_module_gradients_match(se, random_tensor({2, 4, 3, 3}, rng));
}

TEST(LayerGradients, SequentialConvBnReluPoolFlattenLinear) {
  Rng rng(11);
  BasicSequential<double> net;
  net.emplace_back<BasicConv2d<double>>(Conv2dSpec{2, 3, 3}.padding(1).bias(false));
  net.emplace_back<BasicBatchNorm2d<double>>(3);
  net.emplace_back<BasicHSwish<double>>();
  net.emplace_back<BasicGlobalAvgPool2d<double>>();
  net.emplace_back<BasicFlatten<double>>();
  net.emplace_back<BasicLinear<double>>(3, 2);
  randomise_parameters(net, rng);
  expect_module_gradients_match(net, random_tensor({3, 2, 3, 3}, rng), loose_tolerance());
}

TEST(LayerGradients, Flatten) {
  Rng rng(12);
  BasicFlatten<double> flatten;
  expect_module_gradients_match(flatten, random_tensor({2, 3, 2, 2}, rng));
}

TEST(LayerGradients, DropoutWithFixedMask) {
  Rng rng(13);
  BasicDropout<double> dropout(0.5, 99);
  expect_module_gradients_match(dropout, random_tensor({4, 6}, rng), {}, [&] { dropout.reseed(99); });
}

}  // namespace
}  // namespace hwnas::nn
