// Stride-1 convolutions whose output rows are as wide as their input rows
// run im2col and col2im as one masked run per plane and tap; these cases
// put taps at every edge (tall, wide and square kernels, planes smaller
// than the kernel, pixel tiles of one image) and compare with plain loops.

#include <gtest/gtest.h>

#include <vector>

#include "hwnas/core/ops/conv.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::expect_gradients_match;
using testing::random_tensor;

/// Direct double-precision cross-correlation, stride 1, no bias.
TensorD loop_conv2d(const TensorD& x, const TensorD& w, std::int64_t padding) {
  const std::int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
  const std::int64_t o = w.size(0), kh = w.size(2), kw = w.size(3);
  const std::int64_t oh = h + 2 * padding - kh + 1, ow = wd + 2 * padding - kw + 1;
  TensorD out(Shape{n, o, oh, ow});
  for (std::int64_t b = 0; b < n; ++b)
    for (std::int64_t k = 0; k < o; ++k)
      for (std::int64_t y = 0; y < oh; ++y)
        for (std::int64_t xo = 0; xo < ow; ++xo) {
          double sum = 0.0;
          for (std::int64_t ch = 0; ch < c; ++ch)
            for (std::int64_t ky = 0; ky < kh; ++ky)
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t iy = y - padding + ky, ix = xo - padding + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) sum += x(b, ch, iy, ix) * w(k, ch, ky, kx);
              }
          out(b, k, y, xo) = sum;
        }
  return out;
}

struct SameWidthCase {
  Shape input;
  Shape weight;
  std::int64_t padding;
};

const std::vector<SameWidthCase>& cases() {
  static const std::vector<SameWidthCase> all = {
      {{2, 3, 6, 7}, {4, 3, 3, 3}, 1},    // square kernel
      {{2, 2, 7, 5}, {3, 2, 5, 3}, 1},    // tall kernel: fewer output rows than input rows
      {{1, 2, 5, 6}, {2, 2, 1, 5}, 2},    // wide kernel, rows taller after padding
      {{2, 2, 2, 2}, {3, 2, 5, 5}, 2},    // plane smaller than the kernel
      {{1, 3, 1, 9}, {2, 3, 3, 3}, 1},    // a single row
  };
  return all;
}

TEST(Conv2dSameWidth, ForwardMatchesLoops) {
  std::uint64_t seed = 300;
  for (const auto& c : cases()) {
    Rng rng(++seed);
    const TensorD x = random_tensor(c.input, rng);
    const TensorD w = random_tensor(c.weight, rng);
    const auto out = conv2d(VariableD(x), VariableD(w), VariableD(), Conv2dOptions{}.padding(c.padding));
    const TensorD expected = loop_conv2d(x, w, c.padding);
    ASSERT_EQ(out.shape(), expected.shape());
    for (std::int64_t i = 0; i < expected.numel(); ++i) EXPECT_NEAR(out.value()[i], expected[i], 1e-12) << i;
  }
}

TEST(Conv2dSameWidth, Gradients) {
  std::uint64_t seed = 400;
  for (const auto& c : cases()) {
    Rng rng(++seed);
    const TensorD x = random_tensor(c.input, rng);
    const TensorD w = random_tensor(c.weight, rng);
    const auto options = Conv2dOptions{}.padding(c.padding);
    expect_gradients_match([&](const auto& v) { return conv2d(v[0], v[1], VariableD(), options); }, {x, w});
  }
}

TEST(Conv2dSameWidth, OneImageCutIntoPixelTilesMatchesLoops) {
  // Enough work per image for the forward pass to be cut into pixel tiles,
  // so that tiles start and end inside rows.
  Rng rng(500);
  const TensorD x = random_tensor(Shape{1, 32, 23, 23}, rng);
  const TensorD w = random_tensor(Shape{48, 32, 3, 3}, rng);
  const auto out = conv2d(VariableD(x), VariableD(w), VariableD(), Conv2dOptions{}.padding(1));
  const TensorD expected = loop_conv2d(x, w, 1);
  for (std::int64_t i = 0; i < expected.numel(); ++i) ASSERT_NEAR(out.value()[i], expected[i], 1e-10) << i;
}

}  // namespace
}  // namespace hwnas
