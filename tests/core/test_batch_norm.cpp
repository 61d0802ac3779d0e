#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/ops/batch_norm.hpp"
#include "hwnas/core/parallel.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::random_tensor;

struct Moments {
  double mean = 0.0;
  double biased_var = 0.0;
  double unbiased_var = 0.0;
};

/// Mean and variances of channel c of an NCHW tensor, by plain loops.
template <Scalar T>
Moments naive_moments(const BasicTensor<T>& x, std::int64_t c) {
  std::vector<double> values;
  for (std::int64_t n = 0; n < x.size(0); ++n)
    for (std::int64_t h = 0; h < x.size(2); ++h)
      for (std::int64_t w = 0; w < x.size(3); ++w) values.push_back(x(n, c, h, w));
  Moments m;
  for (double v : values) m.mean += v;
  m.mean /= static_cast<double>(values.size());
  double squares = 0.0;
  for (double v : values) squares += (v - m.mean) * (v - m.mean);
  m.biased_var = squares / static_cast<double>(values.size());
  m.unbiased_var = squares / static_cast<double>(values.size() - 1);
  return m;
}

TEST(BatchNorm2d, TrainingNormalisesEachChannel) {
  Rng rng(3);
  const TensorD x = random_tensor({3, 4, 2, 3}, rng, -2.0, 5.0);
  TensorD running_mean({4});
  TensorD running_var({4}, 1.0);
  const VariableD y = batch_norm2d(VariableD(x), VariableD(), VariableD(), running_mean, running_var, {});
  ASSERT_EQ(y.shape(), x.shape());
  for (std::int64_t c = 0; c < 4; ++c) {
    const Moments m = naive_moments(y.value(), c);
    EXPECT_NEAR(m.mean, 0.0, 1e-12);
    EXPECT_NEAR(m.biased_var, 1.0, 1e-4);  // eps keeps it just below 1
  }
}

TEST(BatchNorm2d, AffineScalesAndShifts) {
  Rng rng(4);
  const TensorD x = random_tensor({2, 3, 3, 2}, rng);
  const TensorD gamma({3}, {0.5, -2.0, 3.0});
  const TensorD beta({3}, {1.0, 0.0, -4.0});
  TensorD running_mean({3});
  TensorD running_var({3}, 1.0);
  const VariableD y =
      batch_norm2d(VariableD(x), VariableD(gamma), VariableD(beta), running_mean, running_var, {});
  for (std::int64_t c = 0; c < 3; ++c) {
    const Moments in = naive_moments(x, c);
    for (std::int64_t n = 0; n < 2; ++n)
      for (std::int64_t h = 0; h < 3; ++h)
        for (std::int64_t w = 0; w < 2; ++w) {
          const double expected = (x(n, c, h, w) - in.mean) / std::sqrt(in.biased_var + 1e-5) * gamma[c] + beta[c];
          EXPECT_NEAR(y.value()(n, c, h, w), expected, 1e-12);
        }
  }
}

TEST(BatchNorm2d, TrainingUpdatesRunningStatsWithUnbiasedVariance) {
  Rng rng(5);
  const TensorD x = random_tensor({2, 3, 2, 2}, rng, 0.0, 4.0);
  const TensorD old_mean({3}, {0.5, -1.0, 2.0});
  const TensorD old_var({3}, {1.0, 2.0, 0.5});
  TensorD running_mean = old_mean;
  TensorD running_var = old_var;
  (void)batch_norm2d(VariableD(x), VariableD(), VariableD(), running_mean, running_var, {});
  for (std::int64_t c = 0; c < 3; ++c) {
    const Moments m = naive_moments(x, c);
    EXPECT_NEAR(running_mean[c], 0.9 * old_mean[c] + 0.1 * m.mean, 1e-12);
    EXPECT_NEAR(running_var[c], 0.9 * old_var[c] + 0.1 * m.unbiased_var, 1e-12);
  }
}

TEST(BatchNorm2d, MomentumSetsTheWeightOfTheBatch) {
  const TensorD x({2, 1, 1, 1}, {1.0, 3.0});
  TensorD running_mean({1}, 10.0);
  TensorD running_var({1}, 10.0);
  (void)batch_norm2d(VariableD(x), VariableD(), VariableD(), running_mean, running_var,
                     BatchNormOptions{}.momentum(0.25));
  EXPECT_DOUBLE_EQ(running_mean[0], 0.75 * 10.0 + 0.25 * 2.0);
  EXPECT_DOUBLE_EQ(running_var[0], 0.75 * 10.0 + 0.25 * 2.0);  // unbiased variance of {1, 3} is 2
}

TEST(BatchNorm2d, TrainingUpdatesRunningStatsEvenWithoutGradMode) {
  const TensorD x({2, 1, 1, 2}, {1.0, 2.0, 3.0, 4.0});
  TensorD running_mean({1});
  TensorD running_var({1}, 1.0);
  NoGradGuard no_grad;
  (void)batch_norm2d(VariableD(x, true), VariableD(), VariableD(), running_mean, running_var, {});
  EXPECT_DOUBLE_EQ(running_mean[0], 0.25);
}

TEST(BatchNorm2d, EvalUsesRunningStatsAndLeavesThemAlone) {
  Rng rng(6);
  const TensorD x = random_tensor({2, 2, 2, 2}, rng);
  const TensorD gamma({2}, {2.0, 0.5});
  const TensorD beta({2}, {-1.0, 1.0});
  TensorD running_mean({2}, {0.25, -0.5});
  TensorD running_var({2}, {4.0, 0.25});
  const VariableD y = batch_norm2d(VariableD(x), VariableD(gamma), VariableD(beta), running_mean, running_var,
                                   BatchNormOptions{}.training(false).eps(1e-3));
  EXPECT_EQ(running_mean, TensorD({2}, {0.25, -0.5}));
  EXPECT_EQ(running_var, TensorD({2}, {4.0, 0.25}));
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const std::int64_t c = (i / 4) % 2;
    const double expected = (x[i] - running_mean[c]) / std::sqrt(running_var[c] + 1e-3) * gamma[c] + beta[c];
    EXPECT_NEAR(y.value()[i], expected, 1e-12);
  }
}

TEST(BatchNorm2d, EvalAcceptsOneValuePerChannel) {
  TensorD running_mean({2});
  TensorD running_var({2}, 1.0);
  const TensorD x({1, 2, 1, 1}, {3.0, -3.0});
  const VariableD y = batch_norm2d(VariableD(x), VariableD(), VariableD(), running_mean, running_var,
                                   BatchNormOptions{}.training(false));
  EXPECT_NEAR(y.value()[0], 3.0 / std::sqrt(1.0 + 1e-5), 1e-12);
}

TEST(BatchNorm2d, FloatMatchesDoubleAndStaysStableOffCentre) {
  Rng rng(7);
  // A large common offset: single-precision sums of squares would cancel badly here.
  const TensorD xd = random_tensor({4, 2, 5, 5}, rng, 9999.0, 10001.0);
  const Tensor xf = xd.cast<float>();
  Tensor mean_f({2});
  Tensor var_f({2}, 1.0F);
  const Variable yf = batch_norm2d(Variable(xf), Variable(), Variable(), mean_f, var_f, {});
  TensorD mean_d({2});
  TensorD var_d({2}, 1.0);
  const VariableD yd =
      batch_norm2d(VariableD(xf.cast<double>()), VariableD(), VariableD(), mean_d, var_d, {});
  for (std::int64_t i = 0; i < xd.numel(); ++i) EXPECT_NEAR(yf.value()[i], yd.value()[i], 5e-3);
  for (std::int64_t c = 0; c < 2; ++c) {
    const Moments m = naive_moments(yf.value(), c);
    EXPECT_NEAR(m.mean, 0.0, 1e-2);
    EXPECT_NEAR(m.biased_var, 1.0, 1e-2);
    EXPECT_NEAR(mean_f[c], mean_d[c], 1e-3);
    EXPECT_NEAR(var_f[c], var_d[c], 1e-6);
  }
}

TEST(BatchNorm2d, ResultDoesNotDependOnThreadCount) {
  Rng rng(8);
  const Tensor x = random_tensor({2, 64, 16, 16}, rng).cast<float>();
  const auto run = [&](int threads) {
    ThreadCountGuard guard(threads);
    Tensor running_mean({64});
    Tensor running_var({64}, 1.0F);
    Variable xv(x, true);
    Variable y = batch_norm2d(xv, Variable(), Variable(), running_mean, running_var, {});
    y.backward(x);
    return std::vector<Tensor>{y.value(), xv.grad(), running_mean, running_var};
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(BatchNorm2dGradcheck, TrainingWithAffine) {
  Rng rng(9);
  TensorD running_mean({3});
  TensorD running_var({3}, 1.0);
  testing::expect_gradients_match(
      [&](const auto& v) { return batch_norm2d(v[0], v[1], v[2], running_mean, running_var, {}); },
      {random_tensor({2, 3, 2, 2}, rng), random_tensor({3}, rng, 0.5, 1.5), random_tensor({3}, rng)});
}

TEST(BatchNorm2dGradcheck, TrainingWithoutAffine) {
  Rng rng(10);
  TensorD running_mean({2});
  TensorD running_var({2}, 1.0);
  testing::expect_gradients_match(
      [&](const auto& v) { return batch_norm2d(v[0], VariableD(), VariableD(), running_mean, running_var, {}); },
      {random_tensor({3, 2, 2, 1}, rng)});
}

TEST(BatchNorm2dGradcheck, EvalWithAffine) {
  Rng rng(11);
  TensorD running_mean = random_tensor({3}, rng);
  TensorD running_var = random_tensor({3}, rng, 0.5, 2.0);
  const auto eval = BatchNormOptions{}.training(false);
  testing::expect_gradients_match(
      [&](const auto& v) { return batch_norm2d(v[0], v[1], v[2], running_mean, running_var, eval); },
      {random_tensor({2, 3, 2, 2}, rng), random_tensor({3}, rng, 0.5, 1.5), random_tensor({3}, rng)});
}

TEST(BatchNorm2dGradcheck, EvalWithoutAffine) {
  Rng rng(12);
  TensorD running_mean = random_tensor({2}, rng);
  TensorD running_var = random_tensor({2}, rng, 0.5, 2.0);
  const auto eval = BatchNormOptions{}.training(false);
  testing::expect_gradients_match(
      [&](const auto& v) { return batch_norm2d(v[0], VariableD(), VariableD(), running_mean, running_var, eval); },
      {random_tensor({2, 2, 1, 3}, rng)});
}

TEST(BatchNorm2d, GradientsSkipInputsThatDoNotNeedThem) {
  Rng rng(13);
  TensorD running_mean({2});
  TensorD running_var({2}, 1.0);
  VariableD x(random_tensor({2, 2, 2, 2}, rng), false);
  VariableD gamma(TensorD({2}, 1.0), true);
  VariableD beta(TensorD({2}, 0.0), false);
  VariableD y = batch_norm2d(x, gamma, beta, running_mean, running_var, {});
  y.backward(TensorD(y.shape(), 1.0));
  EXPECT_TRUE(gamma.has_grad());
  EXPECT_FALSE(beta.has_grad());
  EXPECT_FALSE(x.has_grad());
}

TEST(BatchNorm2dErrors, WrongRank) {
  TensorD running_mean({2});
  TensorD running_var({2}, 1.0);
  EXPECT_THROW((void)batch_norm2d(VariableD(TensorD({2, 2, 4})), VariableD(), VariableD(), running_mean,
                                  running_var, {}),
               ShapeError);
}

TEST(BatchNorm2dErrors, RunningStatsOfWrongSize) {
  const VariableD x(TensorD({2, 3, 2, 2}));
  TensorD good({3}, 1.0);
  TensorD bad({2}, 1.0);
  EXPECT_THROW((void)batch_norm2d(x, VariableD(), VariableD(), bad, good, {}), ShapeError);
  try {
    (void)batch_norm2d(x, VariableD(), VariableD(), good, bad, {});
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "batch_norm2d: running mean [3] and variance [2] must have shape [3] for input [2, 3, 2, 2]");
  }
}

TEST(BatchNorm2dErrors, AffineParametersOfWrongSize) {
  const VariableD x(TensorD({2, 3, 2, 2}));
  TensorD running_mean({3});
  TensorD running_var({3}, 1.0);
  EXPECT_THROW((void)batch_norm2d(x, VariableD(TensorD({4})), VariableD(), running_mean, running_var, {}),
               ShapeError);
  EXPECT_THROW((void)batch_norm2d(x, VariableD(), VariableD(TensorD({1, 3})), running_mean, running_var, {}),
               ShapeError);
}

TEST(BatchNorm2dErrors, TrainingNeedsMoreThanOneValuePerChannel) {
  TensorD running_mean({3});
  TensorD running_var({3}, 1.0);
  EXPECT_THROW(
      (void)batch_norm2d(VariableD(TensorD({1, 3, 1, 1})), VariableD(), VariableD(), running_mean, running_var, {}),
      ShapeError);
  EXPECT_EQ(running_var, TensorD({3}, 1.0));
}

TEST(BatchNorm2dErrors, BadOptions) {
  const VariableD x(TensorD({2, 1, 2, 2}));
  TensorD running_mean({1});
  TensorD running_var({1}, 1.0);
  EXPECT_THROW((void)batch_norm2d(x, VariableD(), VariableD(), running_mean, running_var,
                                  BatchNormOptions{}.momentum(1.5)),
               ConfigError);
  EXPECT_THROW(
      (void)batch_norm2d(x, VariableD(), VariableD(), running_mean, running_var, BatchNormOptions{}.eps(0.0)),
      ConfigError);
}

}  // namespace
}  // namespace hwnas
