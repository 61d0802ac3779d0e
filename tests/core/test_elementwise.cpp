#include <cmath>
#include <initializer_list>

#include <gtest/gtest.h>

#include "hwnas/core/ops/dropout.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/reduce.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::expect_gradients_match;
using testing::random_tensor;

/// Random values in [lo, hi) kept at least 0.01 away from every kink, so that
/// central differences never straddle one.
TensorD away_from_kinks(const Shape& shape, Rng& rng, double lo, double hi, std::initializer_list<double> kinks) {
  TensorD t = random_tensor(shape, rng, lo, hi);
  for (double& v : t.values()) {
    for (double k : kinks) {
      if (std::abs(v - k) < 0.01) v = k + 0.05;
    }
  }
  return t;
}

/// The gradient of sum(f(x)) at each of `points`, one point per element.
template <class F>
TensorD grad_at(F f, std::initializer_list<double> points) {
  VariableD x(TensorD({static_cast<std::int64_t>(points.size())}, points), true);
  sum(f(x)).backward();
  return x.grad();
}

template <class F>
TensorD value_at(F f, std::initializer_list<double> points) {
  return f(VariableD(TensorD({static_cast<std::int64_t>(points.size())}, points))).value();
}

// ---------------------------------------------------------------- arithmetic

TEST(Elementwise, ArithmeticValues) {
  VariableD a(TensorD({3}, {1.0, -2.0, 3.0}));
  VariableD b(TensorD({3}, {4.0, 5.0, -6.0}));
  EXPECT_EQ(add(a, b).value(), TensorD({3}, {5.0, 3.0, -3.0}));
  EXPECT_EQ(sub(a, b).value(), TensorD({3}, {-3.0, -7.0, 9.0}));
  EXPECT_EQ(mul(a, b).value(), TensorD({3}, {4.0, -10.0, -18.0}));
  EXPECT_EQ(scale(a, 2.0).value(), TensorD({3}, {2.0, -4.0, 6.0}));
  EXPECT_EQ(scale(a, VariableD(TensorD::scalar(-1.0))).value(), TensorD({3}, {-1.0, 2.0, -3.0}));
}

TEST(Elementwise, FloatInstantiations) {
  Variable a(Tensor({2}, {1.0F, -4.0F}), true);
  Variable b(Tensor({2}, {0.5F, 2.0F}), true);
  Variable s(Tensor({1}, {3.0F}), true);
  Variable y = add(sub(mul(a, b), scale(a, 2.0)), scale(relu6(a), s));
  y = add(y, add(hswish(a), add(hsigmoid(b), sigmoid(a))));
  mean(y).backward();
  EXPECT_TRUE(a.has_grad());
  EXPECT_TRUE(b.has_grad());
  EXPECT_FLOAT_EQ(s.grad()[0], 0.5F);  // mean of relu6(a) = (1 + 0) / 2
}

TEST(Gradcheck, SubAndMul) {
  Rng rng(2);
  const auto a = random_tensor({2, 3, 2}, rng);
  const auto b = random_tensor({2, 3, 2}, rng);
  expect_gradients_match([](const auto& v) { return sub(v[0], v[1]); }, {a, b});
  expect_gradients_match([](const auto& v) { return mul(v[0], v[1]); }, {a, b});
  expect_gradients_match([](const auto& v) { return mul(v[0], v[0]); }, {a});
}

TEST(Gradcheck, ScaleByConstant) {
  Rng rng(3);
  expect_gradients_match([](const auto& v) { return scale(v[0], -2.5); }, {random_tensor({3, 4}, rng)});
}

TEST(Gradcheck, ScaleByVariableReachesBoth) {
  Rng rng(4);
  expect_gradients_match([](const auto& v) { return scale(v[0], v[1]); },
                         {random_tensor({2, 3, 2}, rng), random_tensor(Shape{}, rng)});
  expect_gradients_match([](const auto& v) { return scale(v[0], v[1]); },
                         {random_tensor({4}, rng), random_tensor({1, 1}, rng)});
}

TEST(Elementwise, ScaleByVariableNeedsOneElement) {
  VariableD x(TensorD({2, 3}), true);
  VariableD s(TensorD({2}), true);
  testing::expect_error_message<ShapeError>([&] { (void)scale(x, s); },
                     "scale: the factor must have one element, got shape [2] (input [2, 3])");
}

TEST(Elementwise, BinaryOpsCheckShapes) {
  VariableD a(TensorD({2, 3}), true);
  VariableD b(TensorD({3, 2}), true);
  testing::expect_error_message<ShapeError>([&] { (void)add(a, b); }, "add: shapes [2, 3] and [3, 2] differ");
  testing::expect_error_message<ShapeError>([&] { (void)sub(a, b); }, "sub: shapes [2, 3] and [3, 2] differ");
  testing::expect_error_message<ShapeError>([&] { (void)mul(a, b); }, "mul: shapes [2, 3] and [3, 2] differ");
}

// --------------------------------------------------------------- activations

TEST(Activations, ForwardValues) {
  const auto relu6_fn = [](const VariableD& x) { return relu6(x); };
  const auto hswish_fn = [](const VariableD& x) { return hswish(x); };
  const auto hsigmoid_fn = [](const VariableD& x) { return hsigmoid(x); };
  const auto sigmoid_fn = [](const VariableD& x) { return sigmoid(x); };
  testing::expect_tensors_near(value_at(relu6_fn, {-1.0, 0.0, 2.5, 6.0, 7.0}), TensorD({5}, {0.0, 0.0, 2.5, 6.0, 6.0}));
  testing::expect_tensors_near(value_at(hswish_fn, {-4.0, -3.0, 0.0, 1.0, 3.0, 5.0}),
                     TensorD({6}, {0.0, 0.0, 0.0, 4.0 / 6.0, 3.0, 5.0}));
  testing::expect_tensors_near(value_at(hsigmoid_fn, {-4.0, -3.0, 0.0, 1.5, 3.0, 5.0}),
                     TensorD({6}, {0.0, 0.0, 0.5, 0.75, 1.0, 1.0}));
  testing::expect_tensors_near(value_at(sigmoid_fn, {0.0, 2.0, -2.0, 1000.0, -1000.0}),
                     TensorD({5}, {0.5, 1.0 / (1.0 + std::exp(-2.0)), 1.0 / (1.0 + std::exp(2.0)), 1.0, 0.0}));
}

TEST(Activations, KinkConventionsMatchPyTorch) {
  testing::expect_tensors_near(grad_at([](const VariableD& x) { return relu(x); }, {-1.0, 0.0, 1.0}),
                     TensorD({3}, {0.0, 0.0, 1.0}));
  testing::expect_tensors_near(grad_at([](const VariableD& x) { return relu6(x); }, {-1.0, 0.0, 3.0, 6.0, 7.0}),
                     TensorD({5}, {0.0, 0.0, 1.0, 0.0, 0.0}));
  testing::expect_tensors_near(grad_at([](const VariableD& x) { return hsigmoid(x); }, {-4.0, -3.0, 0.0, 3.0, 4.0}),
                     TensorD({5}, {0.0, 0.0, 1.0 / 6.0, 0.0, 0.0}));
  // hswish: 0 for x <= -3, (2x + 3) / 6 strictly inside, 1 for x >= 3.
  testing::expect_tensors_near(grad_at([](const VariableD& x) { return hswish(x); }, {-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0}),
                     TensorD({7}, {0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0}));
}

TEST(Gradcheck, Activations) {
  Rng rng(5);
  const Shape shape{3, 4, 2};
  expect_gradients_match([](const auto& v) { return relu(v[0]); }, {away_from_kinks(shape, rng, -2, 2, {0.0})});
  expect_gradients_match([](const auto& v) { return relu6(v[0]); },
                         {away_from_kinks(shape, rng, -2, 8, {0.0, 6.0})});
  expect_gradients_match([](const auto& v) { return hsigmoid(v[0]); },
                         {away_from_kinks(shape, rng, -5, 5, {-3.0, 3.0})});
  expect_gradients_match([](const auto& v) { return hswish(v[0]); },
                         {away_from_kinks(shape, rng, -5, 5, {-3.0, 3.0})});
  expect_gradients_match([](const auto& v) { return sigmoid(v[0]); }, {random_tensor(shape, rng, -6, 6)});
}

// ---------------------------------------------------------------- channel_mul

TEST(ChannelMul, ScalesEachPlane) {
  VariableD x(TensorD({1, 2, 1, 2}, {1.0, 2.0, 3.0, 4.0}));
  VariableD s(TensorD({1, 2, 1, 1}, {10.0, -1.0}));
  EXPECT_EQ(channel_mul(x, s).value(), TensorD({1, 2, 1, 2}, {10.0, 20.0, -3.0, -4.0}));

  Variable xf(Tensor({1, 2, 1, 2}, {1.0F, 2.0F, 3.0F, 4.0F}), true);
  Variable sf(Tensor({1, 2, 1, 1}, {10.0F, -1.0F}), true);
  channel_mul(xf, sf).backward(Tensor({1, 2, 1, 2}, 1.0F));
  EXPECT_EQ(xf.grad(), Tensor({1, 2, 1, 2}, {10.0F, 10.0F, -1.0F, -1.0F}));
  EXPECT_EQ(sf.grad(), Tensor({1, 2, 1, 1}, {3.0F, 7.0F}));
}

TEST(Gradcheck, ChannelMulReachesBoth) {
  Rng rng(6);
  expect_gradients_match([](const auto& v) { return channel_mul(v[0], v[1]); },
                         {random_tensor({2, 3, 2, 3}, rng), random_tensor({2, 3, 1, 1}, rng)});
}

TEST(ChannelMul, ChecksShapes) {
  VariableD x(TensorD({2, 3, 4, 4}), true);
  testing::expect_error_message<ShapeError>([&] { (void)channel_mul(x, VariableD(TensorD({2, 4, 1, 1}))); },
                     "channel_mul: scales of shape [2, 4, 1, 1] do not fit input [2, 3, 4, 4] (expected [2, 3, 1, 1])");
  testing::expect_error_message<ShapeError>([&] { (void)channel_mul(x, VariableD(TensorD({2, 3}))); },
                     "channel_mul: scales of shape [2, 3] do not fit input [2, 3, 4, 4] (expected [2, 3, 1, 1])");
  testing::expect_error_message<ShapeError>([&] { (void)channel_mul(VariableD(TensorD({2, 3})), VariableD(TensorD({2, 3, 1, 1}))); },
                     "channel_mul: expected NCHW input, got [2, 3]");
}

// ----------------------------------------------------------------- reductions

TEST(Reduce, SumAndMeanAreScalars) {
  VariableD x(TensorD({2, 2}, {1.0, 2.0, 3.0, 4.0}));
  EXPECT_EQ(sum(x).shape(), Shape{});
  EXPECT_EQ(sum(x).item(), 10.0);
  EXPECT_EQ(mean(x).shape(), Shape{});
  EXPECT_EQ(mean(x).item(), 2.5);
  EXPECT_EQ(sum(VariableD(TensorD({0}))).item(), 0.0);
}

TEST(Reduce, FloatSumAccumulatesInDouble) {
  // 1 + 2^-24 * (2^24 ones) is 2 in exact arithmetic; a float running sum would stall at 1 + 0.
  Tensor t({1 << 20}, 1.0F / static_cast<float>(1 << 24));
  t[0] = 1.0F;
  const float expected = static_cast<float>(1.0 + ((1 << 20) - 1) / static_cast<double>(1 << 24));
  EXPECT_FLOAT_EQ(sum(Variable(t)).item(), expected);
}

TEST(Reduce, MeanOfEmptyIsAnError) {
  testing::expect_error_message<ShapeError>([] { (void)mean(VariableD(TensorD({2, 0}))); }, "mean: the tensor of shape [2, 0] has no elements");
}

TEST(Gradcheck, SumAndMean) {
  Rng rng(8);
  expect_gradients_match([](const auto& v) { return sum(v[0]); }, {random_tensor({2, 3, 4}, rng)});
  expect_gradients_match([](const auto& v) { return mean(v[0]); }, {random_tensor({2, 3, 4}, rng)});
}

// -------------------------------------------------------------------- dropout

TEST(Dropout, IdentityInEvalAndForZeroProbability) {
  Rng rng(1);
  VariableD x(TensorD({4}, {1.0, 2.0, 3.0, 4.0}), true);
  EXPECT_EQ(dropout(x, 0.5, rng, false).node(), x.node());
  EXPECT_EQ(dropout(x, 0.0, rng, true).node(), x.node());
  Rng fresh(1);
  EXPECT_EQ(rng(), fresh());  // nothing was drawn
}

TEST(Dropout, KeepsAboutOneMinusPAndScales) {
  Rng rng(11);
  const double p = 0.3;
  const std::int64_t n = 20000;
  Variable x(Tensor({n}, 2.0F));
  const Tensor y = dropout(x, p, rng, true).value();
  std::int64_t kept = 0;
  for (float v : y.values()) {
    if (v != 0.0F) {
      ++kept;
      EXPECT_FLOAT_EQ(v, static_cast<float>(2.0 / (1.0 - p)));
    }
  }
  EXPECT_NEAR(static_cast<double>(kept) / static_cast<double>(n), 1.0 - p, 0.015);
}

TEST(Dropout, SameSeedSameMaskAndGradientUsesIt) {
  Rng rng_a(21);
  Rng rng_b(21);
  VariableD x(TensorD({64}, 1.0), true);
  VariableD a = dropout(x, 0.5, rng_a, true);
  VariableD b = dropout(x, 0.5, rng_b, true);
  EXPECT_EQ(a.value(), b.value());
  a.backward(TensorD({64}, 1.0));
  EXPECT_EQ(x.grad(), a.value());  // x = 1 and seed = 1: both are the scaled mask
  Rng rng_c(22);
  EXPECT_NE(dropout(x, 0.5, rng_c, true).value(), a.value());
}

TEST(Dropout, ProbabilityOutsideRangeIsAnError) {
  Rng rng;
  VariableD x(TensorD({2}));
  EXPECT_THROW((void)dropout(x, 1.0, rng, true), ConfigError);
  EXPECT_THROW((void)dropout(x, -0.1, rng, true), ConfigError);
  EXPECT_THROW((void)dropout(x, 1.5, rng, false), ConfigError);
}

TEST(Gradcheck, Dropout) {
  Rng rng(9);
  expect_gradients_match(
      [](const auto& v) {
        Rng mask_rng(5);  // the same mask on every evaluation
        return dropout(v[0], 0.4, mask_rng, true);
      },
      {random_tensor({3, 5}, rng)});
}

}  // namespace
}  // namespace hwnas
