#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/ops/resize.hpp"
#include "hwnas/core/parallel.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::random_tensor;

/// Bilinear resize written straight from its definition, one output element at a time.
TensorD naive_resize(const TensorD& x, std::int64_t out_h, std::int64_t out_w) {
  const std::int64_t in_h = x.size(2);
  const std::int64_t in_w = x.size(3);
  TensorD y({x.size(0), x.size(1), out_h, out_w});
  for (std::int64_t n = 0; n < x.size(0); ++n)
    for (std::int64_t c = 0; c < x.size(1); ++c)
      for (std::int64_t i = 0; i < out_h; ++i)
        for (std::int64_t j = 0; j < out_w; ++j) {
          const double sy = std::max((i + 0.5) * static_cast<double>(in_h) / static_cast<double>(out_h) - 0.5, 0.0);
          const double sx = std::max((j + 0.5) * static_cast<double>(in_w) / static_cast<double>(out_w) - 0.5, 0.0);
          const auto y0 = static_cast<std::int64_t>(std::floor(sy));
          const auto x0 = static_cast<std::int64_t>(std::floor(sx));
          const std::int64_t y1 = std::min(y0 + 1, in_h - 1);
          const std::int64_t x1 = std::min(x0 + 1, in_w - 1);
          const double ly = sy - static_cast<double>(y0);
          const double lx = sx - static_cast<double>(x0);
          y(n, c, i, j) = (1 - ly) * (1 - lx) * x(n, c, y0, x0) + (1 - ly) * lx * x(n, c, y0, x1) +
                          ly * (1 - lx) * x(n, c, y1, x0) + ly * lx * x(n, c, y1, x1);
        }
  return y;
}

TEST(ResizeBilinear, TwoByTwoToFourByFour) {
  const TensorD x({1, 1, 2, 2}, {1.0, 2.0, 3.0, 4.0});
  const TensorD expected({1, 1, 4, 4}, {1.0, 1.25, 1.75, 2.0,  //
                                       1.5, 1.75, 2.25, 2.5,  //
                                       2.5, 2.75, 3.25, 3.5,  //
                                       3.0, 3.25, 3.75, 4.0});
  testing::expect_tensors_near(resize_bilinear(VariableD(x), 4, 4).value(), expected, 1e-15);
}

TEST(ResizeBilinear, FourByFourToTwoByTwoAveragesBlocks) {
  TensorD x({1, 1, 4, 4});
  std::iota(x.values().begin(), x.values().end(), 0.0);
  testing::expect_tensors_near(resize_bilinear(VariableD(x), 2, 2).value(), TensorD({1, 1, 2, 2}, {2.5, 4.5, 10.5, 12.5}),
                      1e-15);
}

TEST(ResizeBilinear, ThreeToTwoAlongOneAxis) {
  const TensorD x({1, 1, 1, 3}, {0.0, 1.0, 2.0});
  testing::expect_tensors_near(resize_bilinear(VariableD(x), 1, 2).value(), TensorD({1, 1, 1, 2}, {0.25, 1.75}), 1e-15);
}

TEST(ResizeBilinear, MatchesDefinitionUpAndDown) {
  Rng rng(1);
  const TensorD x = random_tensor({1, 2, 28, 28}, rng);
  for (std::int64_t size : {20, 24, 32, 7, 57}) {
    testing::expect_tensors_near(resize_bilinear(VariableD(x), size, size).value(), naive_resize(x, size, size), 1e-12);
  }
  const TensorD odd = random_tensor({2, 1, 5, 7}, rng);
  testing::expect_tensors_near(resize_bilinear(VariableD(odd), 3, 9).value(), naive_resize(odd, 3, 9), 1e-12);
  testing::expect_tensors_near(resize_bilinear(VariableD(odd), 5, 4).value(), naive_resize(odd, 5, 4), 1e-12);
}

TEST(ResizeBilinear, FloatMatchesDouble) {
  Rng rng(2);
  const TensorD x = random_tensor({1, 3, 9, 9}, rng);
  const Tensor y = resize_bilinear(Variable(x.cast<float>()), 13, 6).value();
  testing::expect_tensors_near(y.cast<double>(), naive_resize(x, 13, 6), 1e-6);
}

TEST(ResizeBilinear, SameSizeIsAnExactCopy) {
  Rng rng(3);
  TensorD x = random_tensor({2, 2, 3, 4}, rng);
  x[5] = std::numeric_limits<double>::infinity();
  VariableD xv(x, true);
  VariableD y = resize_bilinear(xv, 3, 4);
  EXPECT_EQ(y.value(), x);
  const TensorD seed = random_tensor(x.shape(), rng);
  y.backward(seed);
  EXPECT_EQ(xv.grad(), seed);
}

TEST(ResizeBilinear, GradientOfEveryOutputSumsToOne) {
  Rng rng(4);
  VariableD x(random_tensor({1, 2, 6, 5}, rng), true);
  resize_bilinear(x, 4, 9).backward(TensorD({1, 2, 4, 9}, 1.0));
  EXPECT_NEAR(x.grad().array().sum(), 2.0 * 4 * 9, 1e-12);
}

TEST(ResizeBilinear, FloatDoesNotDependOnThreadCount) {
  Rng rng(5);
  const Tensor x = random_tensor({2, 8, 28, 28}, rng).cast<float>();
  const auto run = [&](int threads) {
    ThreadCountGuard guard(threads);
    Variable xv(x, true);
    Variable y = resize_bilinear(xv, 20, 32);
    y.backward(y.value());
    return std::vector<Tensor>{y.value(), xv.grad()};
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(ResizeBilinearGradcheck, Upsample) {
  Rng rng(6);
  testing::expect_gradients_match([](const auto& v) { return resize_bilinear(v[0], 5, 7); },
                                  {random_tensor({1, 2, 3, 4}, rng)});
}

TEST(ResizeBilinearGradcheck, Downsample) {
  Rng rng(7);
  testing::expect_gradients_match([](const auto& v) { return resize_bilinear(v[0], 3, 2); },
                                  {random_tensor({2, 1, 5, 6}, rng)});
}

TEST(ResizeBilinearGradcheck, FromSinglePixel) {
  Rng rng(8);
  testing::expect_gradients_match([](const auto& v) { return resize_bilinear(v[0], 3, 2); },
                                  {random_tensor({1, 2, 1, 1}, rng)});
}

TEST(ResizeBilinearErrors, WrongRank) {
  EXPECT_THROW((void)resize_bilinear(VariableD(TensorD({2, 4, 4})), 2, 2), ShapeError);
}

TEST(ResizeBilinearErrors, NonPositiveSize) {
  const VariableD x(TensorD({1, 1, 4, 4}));
  EXPECT_THROW((void)resize_bilinear(x, 0, 2), ConfigError);
  try {
    (void)resize_bilinear(x, 2, -1);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "resize_bilinear: output size must be positive, got 2x-1 for input [1, 1, 4, 4]");
  }
}

TEST(ResizeBilinearErrors, EmptyPlane) {
  EXPECT_THROW((void)resize_bilinear(VariableD(TensorD({1, 1, 0, 4})), 2, 2), ShapeError);
}

}  // namespace
}  // namespace hwnas
