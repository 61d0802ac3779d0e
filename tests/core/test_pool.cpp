#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/ops/pool.hpp"
#include "hwnas/core/parallel.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::random_tensor;

/// A tensor whose values are distinct multiples of 0.1 in shuffled order, so
/// max pooling has no ties, not even under a finite-difference step.
TensorD distinct_tensor(const Shape& shape, Rng& rng) {
  std::vector<double> values(static_cast<std::size_t>(shape.numel()));
  std::iota(values.begin(), values.end(), 0.0);
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[rng.uniform_int(i)]);
  TensorD t(shape, values);
  t.array() = t.array() * 0.1 - 1.0;
  return t;
}

enum class Reduce { average_with_pad, average_without_pad, maximum };

/// Pools by visiting every position of every padded window and skipping those outside the input.
TensorD naive_pool(const TensorD& x, std::int64_t k, std::int64_t s, std::int64_t p, Reduce reduce) {
  const std::int64_t oh = (x.size(2) + 2 * p - k) / s + 1;
  const std::int64_t ow = (x.size(3) + 2 * p - k) / s + 1;
  TensorD y({x.size(0), x.size(1), oh, ow});
  for (std::int64_t n = 0; n < x.size(0); ++n)
    for (std::int64_t c = 0; c < x.size(1); ++c)
      for (std::int64_t i = 0; i < oh; ++i)
        for (std::int64_t j = 0; j < ow; ++j) {
          double sum = 0.0;
          double best = -std::numeric_limits<double>::infinity();
          int inside = 0;
          for (std::int64_t a = 0; a < k; ++a)
            for (std::int64_t b = 0; b < k; ++b) {
              const std::int64_t h = i * s - p + a;
              const std::int64_t w = j * s - p + b;
              if (h < 0 || w < 0 || h >= x.size(2) || w >= x.size(3)) continue;
              sum += x(n, c, h, w);
              best = std::max(best, x(n, c, h, w));
              ++inside;
            }
          y(n, c, i, j) = reduce == Reduce::maximum              ? best
                          : reduce == Reduce::average_with_pad ? sum / static_cast<double>(k * k)
                                                               : sum / inside;
        }
  return y;
}

TensorD iota_4x4() {
  TensorD x({1, 1, 4, 4});
  std::iota(x.values().begin(), x.values().end(), 1.0);
  return x;
}

TEST(AvgPool2d, KnownThreeByThreeWithPadding) {
  const VariableD x(iota_4x4());
  const auto options = Pool2dOptions{}.kernel(3).stride(1).padding(1);
  const TensorD with_pad = avg_pool2d(x, options).value();
  const TensorD without_pad = avg_pool2d(x, Pool2dOptions(options).count_include_pad(false)).value();
  ASSERT_EQ(with_pad.shape(), Shape({1, 1, 4, 4}));
  EXPECT_DOUBLE_EQ(with_pad(0, 0, 0, 0), (1.0 + 2 + 5 + 6) / 9);
  EXPECT_DOUBLE_EQ(without_pad(0, 0, 0, 0), (1.0 + 2 + 5 + 6) / 4);
  EXPECT_DOUBLE_EQ(with_pad(0, 0, 1, 1), 6.0);
  EXPECT_DOUBLE_EQ(without_pad(0, 0, 1, 1), 6.0);
  EXPECT_DOUBLE_EQ(with_pad(0, 0, 0, 2), (2.0 + 3 + 4 + 6 + 7 + 8) / 9);
  EXPECT_DOUBLE_EQ(without_pad(0, 0, 0, 2), (2.0 + 3 + 4 + 6 + 7 + 8) / 6);
  EXPECT_DOUBLE_EQ(without_pad(0, 0, 3, 3), (11.0 + 12 + 15 + 16) / 4);
}

TEST(AvgPool2d, DefaultIsNonOverlappingTwoByTwo) {
  const TensorD y = avg_pool2d(VariableD(iota_4x4()), {}).value();
  EXPECT_EQ(y, TensorD({1, 1, 2, 2}, {3.5, 5.5, 11.5, 13.5}));
}

TEST(AvgPool2d, MatchesNaiveLoops) {
  Rng rng(1);
  const TensorD x = random_tensor({2, 3, 7, 6}, rng);
  for (const auto& [k, s, p] : std::vector<std::array<std::int64_t, 3>>{{3, 1, 1}, {3, 2, 1}, {2, 2, 0}, {5, 3, 2}}) {
    const auto options = Pool2dOptions{}.kernel(k).stride(s).padding(p);
    testing::expect_tensors_near(avg_pool2d(VariableD(x), options).value(), naive_pool(x, k, s, p, Reduce::average_with_pad),
                        1e-12);
    testing::expect_tensors_near(avg_pool2d(VariableD(x), Pool2dOptions(options).count_include_pad(false)).value(),
                        naive_pool(x, k, s, p, Reduce::average_without_pad), 1e-12);
  }
}

TEST(AvgPool2d, OutputSizeRoundsDown) {
  const VariableD x(TensorD({1, 2, 7, 8}));
  EXPECT_EQ(avg_pool2d(x, Pool2dOptions{}.kernel(3).stride(2).padding(1)).shape(), Shape({1, 2, 4, 4}));
  EXPECT_EQ(avg_pool2d(x, Pool2dOptions{}.kernel(2)).shape(), Shape({1, 2, 3, 4}));
}

TEST(AvgPool2d, FloatDoesNotDependOnThreadCount) {
  Rng rng(2);
  const Tensor x = random_tensor({2, 16, 12, 12}, rng).cast<float>();
  const auto run = [&](int threads) {
    ThreadCountGuard guard(threads);
    Variable xv(x, true);
    Variable y = avg_pool2d(xv, Pool2dOptions{}.kernel(3).stride(1).padding(1).count_include_pad(false));
    y.backward(y.value());
    return std::vector<Tensor>{y.value(), xv.grad()};
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(MaxPool2d, MatchesNaiveLoops) {
  Rng rng(3);
  const TensorD x = random_tensor({2, 2, 7, 6}, rng);
  for (const auto& [k, s, p] : std::vector<std::array<std::int64_t, 3>>{{3, 1, 1}, {3, 2, 1}, {2, 2, 0}, {4, 3, 2}}) {
    testing::expect_tensors_near(max_pool2d(VariableD(x), Pool2dOptions{}.kernel(k).stride(s).padding(p)).value(),
                        naive_pool(x, k, s, p, Reduce::maximum), 0.0);
  }
}

TEST(MaxPool2d, PaddingNeverWins) {
  const TensorD x({1, 1, 2, 2}, {-4.0, -3.0, -2.0, -1.0});
  const TensorD y = max_pool2d(VariableD(x), Pool2dOptions{}.kernel(3).stride(1).padding(1)).value();
  EXPECT_EQ(y, TensorD({1, 1, 2, 2}, -1.0));
}

TEST(MaxPool2d, TiesSendGradientToTheFirstMaximum) {
  VariableD x(TensorD({1, 1, 2, 4}, {1.0, 2.0, 5.0, 5.0, 2.0, 2.0, 5.0, 5.0}), true);
  max_pool2d(x, {}).backward(TensorD({1, 1, 1, 2}, {1.0, 1.0}));
  EXPECT_EQ(x.grad(), TensorD({1, 1, 2, 4}, {0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0}));
}

TEST(MaxPool2d, NaNPropagates) {
  const TensorD x({1, 1, 2, 2}, {1.0, std::nan(""), 3.0, 2.0});
  EXPECT_TRUE(std::isnan(max_pool2d(VariableD(x), {}).item()));
}

TEST(GlobalAvgPool2d, AveragesEachPlane) {
  Rng rng(4);
  const TensorD x = random_tensor({2, 3, 4, 5}, rng);
  const TensorD y = global_avg_pool2d(VariableD(x)).value();
  ASSERT_EQ(y.shape(), Shape({2, 3, 1, 1}));
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t c = 0; c < 3; ++c) {
      double sum = 0.0;
      for (std::int64_t h = 0; h < 4; ++h)
        for (std::int64_t w = 0; w < 5; ++w) sum += x(n, c, h, w);
      EXPECT_NEAR(y(n, c, 0, 0), sum / 20.0, 1e-14);
    }
}

TEST(PoolGradcheck, AvgPoolWithPaddingIncluded) {
  Rng rng(5);
  testing::expect_gradients_match(
      [](const auto& v) { return avg_pool2d(v[0], Pool2dOptions{}.kernel(3).stride(1).padding(1)); },
      {random_tensor({2, 2, 4, 3}, rng)});
}

TEST(PoolGradcheck, AvgPoolWithPaddingExcluded) {
  Rng rng(6);
  testing::expect_gradients_match(
      [](const auto& v) {
        return avg_pool2d(v[0], Pool2dOptions{}.kernel(3).stride(1).padding(1).count_include_pad(false));
      },
      {random_tensor({2, 2, 4, 3}, rng)});
}

TEST(PoolGradcheck, AvgPoolStrideDiffersFromKernel) {
  Rng rng(7);
  testing::expect_gradients_match(
      [](const auto& v) {
        return avg_pool2d(v[0], Pool2dOptions{}.kernel(3).stride(2).padding(1).count_include_pad(false));
      },
      {random_tensor({1, 2, 5, 6}, rng)});
}

TEST(PoolGradcheck, MaxPool) {
  Rng rng(8);
  testing::expect_gradients_match(
      [](const auto& v) { return max_pool2d(v[0], Pool2dOptions{}.kernel(3).stride(2).padding(1)); },
      {distinct_tensor({2, 2, 5, 4}, rng)});
}

TEST(PoolGradcheck, MaxPoolDefault) {
  Rng rng(9);
  testing::expect_gradients_match([](const auto& v) { return max_pool2d(v[0], {}); },
                                  {distinct_tensor({1, 3, 4, 4}, rng)});
}

TEST(PoolGradcheck, GlobalAvgPool) {
  Rng rng(10);
  testing::expect_gradients_match([](const auto& v) { return global_avg_pool2d(v[0]); },
                                  {random_tensor({2, 3, 3, 2}, rng)});
}

TEST(PoolErrors, WrongRank) {
  const VariableD x(TensorD({2, 4, 4}));
  EXPECT_THROW((void)avg_pool2d(x, {}), ShapeError);
  EXPECT_THROW((void)max_pool2d(x, {}), ShapeError);
  EXPECT_THROW((void)global_avg_pool2d(x), ShapeError);
}

TEST(PoolErrors, KernelLargerThanPaddedInput) {
  const VariableD x(TensorD({1, 1, 3, 5}));
  EXPECT_THROW((void)max_pool2d(x, Pool2dOptions{}.kernel(4)), ShapeError);
  EXPECT_NO_THROW((void)max_pool2d(x, Pool2dOptions{}.kernel(4).padding(1)));
  try {
    (void)avg_pool2d(x, Pool2dOptions{}.kernel(6).padding(1));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "avg_pool2d: kernel 6 is larger than input [1, 1, 3, 5] with padding 1");
  }
}

TEST(PoolErrors, PaddingAboveHalfTheKernel) {
  const VariableD x(TensorD({1, 1, 6, 6}));
  EXPECT_THROW((void)avg_pool2d(x, Pool2dOptions{}.kernel(3).padding(2)), ConfigError);
  EXPECT_THROW((void)max_pool2d(x, Pool2dOptions{}.kernel(2).padding(2)), ConfigError);
  EXPECT_THROW((void)max_pool2d(x, Pool2dOptions{}.kernel(3).padding(-1)), ConfigError);
}

TEST(PoolErrors, NonPositiveKernelOrStride) {
  const VariableD x(TensorD({1, 1, 4, 4}));
  EXPECT_THROW((void)avg_pool2d(x, Pool2dOptions{}.kernel(0)), ConfigError);
  EXPECT_THROW((void)avg_pool2d(x, Pool2dOptions{}.stride(-1)), ConfigError);
}

}  // namespace
}  // namespace hwnas
