#include <cmath>
#include <limits>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/parallel.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::expect_gradients_match;
using testing::random_tensor;

/// One convolution to test: input and weight shapes plus options.
struct ConvCase {
  Shape input;
  Shape weight;
  Conv2dOptions options;
};

std::string describe(const ConvCase& c) {
  return fmt::format("input {} weight {} stride {} padding {} groups {}", c.input, c.weight, c.options.stride(),
                     c.options.padding(), c.options.groups());
}

/// Straightforward convolution loops, summing in double. Also returns, per
/// output, the sum of |x * w| over its terms (for the rounding bound below).
struct Reference {
  TensorD out;
  TensorD magnitude;
};

Reference reference_conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Conv2dOptions& o) {
  const std::int64_t n_batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
  const std::int64_t out_channels = w.size(0), group_in = w.size(1), kh = w.size(2), kw = w.size(3);
  const std::int64_t group_out = out_channels / o.groups();
  const std::int64_t oh = conv_output_size(height, kh, o.stride(), o.padding());
  const std::int64_t ow = conv_output_size(width, kw, o.stride(), o.padding());
  EXPECT_EQ(channels, group_in * o.groups());
  Reference r{TensorD({n_batch, out_channels, oh, ow}), TensorD({n_batch, out_channels, oh, ow})};
  for (std::int64_t n = 0; n < n_batch; ++n) {
    for (std::int64_t oc = 0; oc < out_channels; ++oc) {
      const std::int64_t first_in = oc / group_out * group_in;
      for (std::int64_t oy = 0; oy < oh; ++oy) {
        for (std::int64_t ox = 0; ox < ow; ++ox) {
          double sum = bias != nullptr ? (*bias)[oc] : 0.0;
          double magnitude = std::abs(sum);
          for (std::int64_t ic = 0; ic < group_in; ++ic) {
            for (std::int64_t ky = 0; ky < kh; ++ky) {
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t iy = oy * o.stride() - o.padding() + ky;
                const std::int64_t ix = ox * o.stride() - o.padding() + kx;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                const double term = double{x(n, first_in + ic, iy, ix)} * double{w(oc, ic, ky, kx)};
                sum += term;
                magnitude += std::abs(term);
              }
            }
          }
          r.out(n, oc, oy, ox) = sum;
          r.magnitude(n, oc, oy, ox) = magnitude;
        }
      }
    }
  }
  return r;
}

/// Reference gradients of conv2d for the output gradient `grad`, from the
/// same loops: each input and weight element sums its terms.
struct ReferenceGradients {
  Reference input;
  Reference weight;
  Reference bias;
};

ReferenceGradients reference_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& grad,
                                             const Conv2dOptions& o) {
  const std::int64_t height = x.size(2), width = x.size(3);
  const std::int64_t out_channels = w.size(0), group_in = w.size(1), kh = w.size(2), kw = w.size(3);
  const std::int64_t group_out = out_channels / o.groups();
  ReferenceGradients r{{TensorD(x.shape()), TensorD(x.shape())},
                       {TensorD(w.shape()), TensorD(w.shape())},
                       {TensorD({out_channels}), TensorD({out_channels})}};
  for (std::int64_t n = 0; n < grad.size(0); ++n) {
    for (std::int64_t oc = 0; oc < out_channels; ++oc) {
      const std::int64_t first_in = oc / group_out * group_in;
      for (std::int64_t oy = 0; oy < grad.size(2); ++oy) {
        for (std::int64_t ox = 0; ox < grad.size(3); ++ox) {
          const double g = grad(n, oc, oy, ox);
          r.bias.out[oc] += g;
          r.bias.magnitude[oc] += std::abs(g);
          for (std::int64_t ic = 0; ic < group_in; ++ic) {
            for (std::int64_t ky = 0; ky < kh; ++ky) {
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t iy = oy * o.stride() - o.padding() + ky;
                const std::int64_t ix = ox * o.stride() - o.padding() + kx;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                const double to_input = g * double{w(oc, ic, ky, kx)};
                const double to_weight = g * double{x(n, first_in + ic, iy, ix)};
                r.input.out(n, first_in + ic, iy, ix) += to_input;
                r.input.magnitude(n, first_in + ic, iy, ix) += std::abs(to_input);
                r.weight.out(oc, ic, ky, kx) += to_weight;
                r.weight.magnitude(oc, ic, ky, kx) += std::abs(to_weight);
              }
            }
          }
        }
      }
    }
  }
  return r;
}

/// Float outputs are compared with the double reference within the classic
/// worst-case bound for floating-point summation in any order (blocked,
/// vectorised or tiled alike): |error| <= gamma_K * sum |terms| with
/// gamma_K = K u / (1 - K u), K the number of terms and u the float unit
/// roundoff. The bound is rigorous, so a failure is a real bug, not noise.
void expect_close_to_reference(const Tensor& out, const Reference& ref, std::int64_t terms, const std::string& what) {
  ASSERT_EQ(out.shape(), ref.out.shape()) << what;
  const double u = std::numeric_limits<float>::epsilon() / 2.0;
  const double k_u = static_cast<double>(terms + 1) * u;  // + 1 for the bias
  const double gamma = k_u / (1.0 - k_u);
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    // + one rounding of the final value to float.
    const double tolerance = gamma * ref.magnitude[i] + u * std::abs(ref.out[i]);
    ASSERT_NEAR(out[i], ref.out[i], tolerance) << what << ", element " << i;
  }
}

Tensor random_float(const Shape& shape, Rng& rng) { return random_tensor(shape, rng).cast<float>(); }

void check_forward(const ConvCase& c, bool with_bias, std::uint64_t seed) {
  Rng rng(seed);
  const Tensor x = random_float(c.input, rng);
  const Tensor w = random_float(c.weight, rng);
  const Tensor b = random_float(Shape{c.weight[0]}, rng);
  const Variable out = conv2d(Variable(x), Variable(w), with_bias ? Variable(b) : Variable(), c.options);
  const Reference ref = reference_conv2d(x, w, with_bias ? &b : nullptr, c.options);
  expect_close_to_reference(out.value(), ref, c.weight[1] * c.weight[2] * c.weight[3],
                            describe(c) + (with_bias ? " with bias" : " without bias"));
}

TEST(Conv2d, OutputSize) {
  EXPECT_EQ(conv_output_size(28, 3, 1, 1), 28);
  EXPECT_EQ(conv_output_size(28, 3, 2, 1), 14);
  EXPECT_EQ(conv_output_size(14, 5, 2, 2), 7);
  EXPECT_EQ(conv_output_size(7, 7, 1, 0), 1);
  EXPECT_EQ(conv_output_size(2, 5, 1, 2), 2);
  EXPECT_THROW((void)conv_output_size(2, 5, 1, 1), ShapeError);
  EXPECT_THROW((void)conv_output_size(8, 3, 0, 1), ConfigError);
  EXPECT_THROW((void)conv_output_size(8, 3, 1, -1), ConfigError);
  EXPECT_THROW((void)conv_output_size(8, 0, 1, 0), ConfigError);
}

TEST(Conv2d, OptionsChain) {
  const auto o = Conv2dOptions{}.stride(2).padding(1).groups(4);
  EXPECT_EQ(o.stride(), 2);
  EXPECT_EQ(o.padding(), 1);
  EXPECT_EQ(o.groups(), 4);
  EXPECT_EQ(Conv2dOptions{}, Conv2dOptions{}.stride(1).padding(0).groups(1));
}

TEST(Conv2d, ForwardMatchesReference) {
  const std::vector<ConvCase> cases = {
      {{2, 3, 7, 6}, {4, 3, 3, 3}, Conv2dOptions{}.padding(1)},               // dense, padded
      {{2, 3, 7, 6}, {4, 3, 3, 3}, Conv2dOptions{}},                          // dense, unpadded
      {{2, 3, 9, 8}, {5, 3, 3, 3}, Conv2dOptions{}.stride(2).padding(1)},     // strided
      {{1, 1, 28, 28}, {16, 1, 3, 3}, Conv2dOptions{}.stride(2).padding(1)},  // stem, one image
      {{1, 3, 16, 16}, {4, 3, 3, 3}, Conv2dOptions{}.padding(1)},             // one image
      {{2, 4, 6, 6}, {6, 2, 3, 3}, Conv2dOptions{}.padding(1).groups(2)},     // grouped
      {{2, 4, 6, 5}, {8, 1, 3, 3}, Conv2dOptions{}.padding(1).groups(4)},     // channel multiplier 2
      {{2, 8, 5, 5}, {6, 8, 1, 1}, Conv2dOptions{}},                          // 1x1 fast path
      {{1, 24, 14, 14}, {40, 24, 1, 1}, Conv2dOptions{}},                     // 1x1, one image
      {{2, 8, 5, 5}, {6, 8, 1, 1}, Conv2dOptions{}.stride(2)},                // strided 1x1
      {{2, 3, 6, 7}, {2, 3, 2, 3}, Conv2dOptions{}},                          // rectangular kernel
      {{2, 2, 2, 2}, {3, 2, 3, 3}, Conv2dOptions{}.padding(1)},               // kernel larger than input
      {{1, 2, 3, 3}, {3, 2, 5, 5}, Conv2dOptions{}.padding(1)},               // a single output
      {{2, 5, 9, 11}, {5, 1, 3, 3}, Conv2dOptions{}.padding(1).groups(5)},    // depthwise 3
      {{2, 5, 9, 11}, {5, 1, 5, 5}, Conv2dOptions{}.padding(2).groups(5)},    // depthwise 5
      {{2, 5, 9, 11}, {5, 1, 7, 7}, Conv2dOptions{}.padding(3).groups(5)},    // depthwise 7
      {{2, 5, 9, 11}, {5, 1, 3, 3}, Conv2dOptions{}.stride(2).padding(1).groups(5)},
      {{2, 5, 9, 11}, {5, 1, 5, 5}, Conv2dOptions{}.stride(2).padding(2).groups(5)},
      {{2, 5, 10, 12}, {5, 1, 7, 7}, Conv2dOptions{}.stride(2).padding(3).groups(5)},
      {{2, 3, 11, 10}, {3, 1, 5, 5}, Conv2dOptions{}.stride(3).padding(1).groups(3)},
      {{2, 3, 7, 7}, {3, 1, 3, 3}, Conv2dOptions{}.groups(3)},                          // depthwise unpadded
      {{2, 16, 6, 7}, {16, 1, 3, 3}, Conv2dOptions{}.padding(1).groups(16)},            // one full SIMD channel group
      {{1, 37, 9, 8}, {37, 1, 5, 5}, Conv2dOptions{}.stride(2).padding(2).groups(37)},  // full groups and a tail
      {{1, 32, 5, 5}, {32, 1, 3, 3}, Conv2dOptions{}.padding(4).groups(32)},            // padding wider than the kernel
      {{1, 4, 3, 4}, {4, 1, 7, 7}, Conv2dOptions{}.padding(3).groups(4)},               // depthwise, tiny plane
      {{1, 2, 30, 33}, {2, 1, 3, 5}, Conv2dOptions{}.stride(2).padding(2).groups(2)},   // long rows
  };
  std::uint64_t seed = 100;
  for (const auto& c : cases) {
    check_forward(c, true, ++seed);
    check_forward(c, false, ++seed);
  }
}

TEST(Conv2d, DoubleForwardMatchesFloat) {
  Rng rng(3);
  const TensorD x = random_tensor({2, 4, 6, 6}, rng);
  const TensorD w = random_tensor({4, 1, 3, 3}, rng);
  const TensorD wd = random_tensor({5, 4, 3, 3}, rng);
  const auto o = Conv2dOptions{}.padding(1);
  const auto depthwise = conv2d(VariableD(x), VariableD(w), VariableD(), Conv2dOptions{o}.groups(4));
  const auto depthwise_f =
      conv2d(Variable(x.cast<float>()), Variable(w.cast<float>()), Variable(), Conv2dOptions{o}.groups(4));
  const auto dense = conv2d(VariableD(x), VariableD(wd), VariableD(), o);
  const auto dense_f = conv2d(Variable(x.cast<float>()), Variable(wd.cast<float>()), Variable(), o);
  for (std::int64_t i = 0; i < depthwise.numel(); ++i) EXPECT_NEAR(depthwise.value()[i], depthwise_f.value()[i], 1e-5);
  for (std::int64_t i = 0; i < dense.numel(); ++i) EXPECT_NEAR(dense.value()[i], dense_f.value()[i], 1e-4);
}

/// Central-difference check of every input's gradient, with and without bias.
void check_gradients(const ConvCase& c, std::uint64_t seed) {
  Rng rng(seed);
  const TensorD x = random_tensor(c.input, rng);
  const TensorD w = random_tensor(c.weight, rng);
  const TensorD b = random_tensor(Shape{c.weight[0]}, rng);
  SCOPED_TRACE(describe(c));
  expect_gradients_match([&](const auto& v) { return conv2d(v[0], v[1], v[2], c.options); }, {x, w, b});
  expect_gradients_match([&](const auto& v) { return conv2d(v[0], v[1], VariableD(), c.options); }, {x, w});
}

TEST(Conv2dGradients, PaddedDense) { check_gradients({{2, 3, 5, 5}, {4, 3, 3, 3}, Conv2dOptions{}.padding(1)}, 1); }

TEST(Conv2dGradients, OneImage) { check_gradients({{1, 2, 8, 8}, {3, 2, 3, 3}, Conv2dOptions{}.padding(1)}, 2); }

TEST(Conv2dGradients, Strided) {
  check_gradients({{2, 2, 7, 6}, {3, 2, 3, 3}, Conv2dOptions{}.stride(2).padding(1)}, 3);
  check_gradients({{2, 2, 6, 6}, {3, 2, 2, 2}, Conv2dOptions{}.stride(2)}, 4);
  check_gradients({{1, 2, 4, 5}, {3, 2, 3, 3}, Conv2dOptions{}.stride(2).padding(3)}, 7);
}

TEST(Conv2dGradients, Grouped) {
  check_gradients({{2, 4, 5, 5}, {6, 2, 3, 3}, Conv2dOptions{}.padding(1).groups(2)}, 5);
  check_gradients({{2, 2, 4, 4}, {4, 1, 3, 3}, Conv2dOptions{}.padding(1).groups(2)}, 6);  // channel multiplier
}

TEST(Conv2dGradients, Depthwise) {
  std::uint64_t seed = 10;
  for (std::int64_t k : {3, 5, 7}) {
    for (std::int64_t stride : {1, 2}) {
      check_gradients({{2, 3, 8, 7}, {3, 1, k, k}, Conv2dOptions{}.stride(stride).padding(k / 2).groups(3)}, ++seed);
    }
  }
  check_gradients({{2, 2, 7, 7}, {2, 1, 3, 3}, Conv2dOptions{}.stride(3).groups(2)}, ++seed);
  check_gradients({{1, 2, 4, 5}, {2, 1, 3, 3}, Conv2dOptions{}.stride(2).padding(3).groups(2)}, ++seed);
}

TEST(Conv2dGradients, DepthwiseFullChannelGroups) {
  // More channels than one SIMD packet holds (8 doubles with AVX-512, fewer
  // without), so full groups and a partial one are both checked.
  check_gradients({{1, 9, 5, 6}, {9, 1, 3, 3}, Conv2dOptions{}.padding(1).groups(9)}, 30);
  check_gradients({{1, 9, 7, 6}, {9, 1, 5, 5}, Conv2dOptions{}.stride(2).padding(2).groups(9)}, 31);
}

TEST(Conv2dGradients, Pointwise) {
  check_gradients({{2, 4, 3, 3}, {5, 4, 1, 1}, Conv2dOptions{}}, 20);
  check_gradients({{2, 4, 5, 5}, {3, 4, 1, 1}, Conv2dOptions{}.stride(2)}, 21);
}

TEST(Conv2dGradients, LargeShapesMatchReferenceLoops) {
  // Float gradients of shapes big enough to be cut into pixel tiles, channel
  // blocks and partial weight sums, against double loops (same bound as the
  // forward comparison; the gradient checks above use small shapes).
  const std::vector<ConvCase> cases = {
      {{4, 16, 16, 16}, {32, 16, 3, 3}, Conv2dOptions{}.padding(1)},
      {{1, 64, 20, 20}, {64, 64, 3, 3}, Conv2dOptions{}.padding(1)},
      {{6, 32, 12, 12}, {48, 16, 3, 3}, Conv2dOptions{}.padding(1).groups(2)},
      {{1, 96, 28, 28}, {128, 96, 1, 1}, Conv2dOptions{}},
      {{2, 40, 15, 13}, {40, 1, 5, 5}, Conv2dOptions{}.stride(2).padding(2).groups(40)},
  };
  std::uint64_t seed = 50;
  for (const auto& c : cases) {
    Rng rng(++seed);
    Variable x(random_float(c.input, rng), true);
    Variable w(random_float(c.weight, rng), true);
    Variable b(random_float(Shape{c.weight[0]}, rng), true);
    Variable out = conv2d(x, w, b, c.options);
    const Tensor grad = random_float(out.shape(), rng);
    out.backward(grad);
    const auto ref = reference_conv2d_backward(x.value(), w.value(), grad, c.options);
    const std::int64_t per_weight = out.size(0) * out.size(2) * out.size(3);
    const std::int64_t per_input = c.weight[0] / c.options.groups() * c.weight[2] * c.weight[3];
    expect_close_to_reference(x.grad(), ref.input, per_input, describe(c) + ", input gradient");
    expect_close_to_reference(w.grad(), ref.weight, per_weight, describe(c) + ", weight gradient");
    expect_close_to_reference(b.grad(), ref.bias, per_weight, describe(c) + ", bias gradient");
  }
}

TEST(Conv2dGradients, OnlyTheInputsThatNeedThem) {
  Rng rng(9);
  VariableD x(random_tensor({1, 2, 4, 4}, rng), false);
  VariableD w(random_tensor({3, 2, 3, 3}, rng), true);
  VariableD b(random_tensor({3}, rng), false);
  conv2d(x, w, b, Conv2dOptions{}.padding(1)).backward(TensorD({1, 3, 4, 4}, 1.0));
  EXPECT_FALSE(x.has_grad());
  EXPECT_FALSE(b.has_grad());
  EXPECT_TRUE(w.has_grad());
}

TEST(Conv2d, BatchOfZeroImages) {
  Variable x(Tensor({0, 2, 4, 4}), true);
  Variable w(Tensor({3, 2, 3, 3}, 1.0F), true);
  Variable out = conv2d(x, w, Variable(), Conv2dOptions{}.padding(1));
  EXPECT_EQ(out.shape(), (Shape{0, 3, 4, 4}));
  out.backward(Tensor(out.shape()));
  EXPECT_EQ(w.grad(), Tensor(w.shape()));
  Variable depthwise_w(Tensor({2, 1, 3, 3}, 1.0F), true);
  Variable depthwise = conv2d(x, depthwise_w, Variable(), Conv2dOptions{}.groups(2));
  depthwise.backward(Tensor(depthwise.shape()));
  EXPECT_EQ(depthwise_w.grad(), Tensor(depthwise_w.shape()));
  Variable features(Tensor({0, 5}), true);
  Variable linear_w(Tensor({3, 5}, 1.0F), true);
  Variable y = linear(features, linear_w, Variable());
  EXPECT_EQ(y.shape(), (Shape{0, 3}));
  y.backward(Tensor(y.shape()));
  EXPECT_EQ(linear_w.grad(), Tensor(linear_w.shape()));
}

/// Forward and all gradients of a conv computed with `threads` threads.
std::vector<Tensor> conv_results(const ConvCase& c, int threads) {
  ThreadCountGuard guard(threads);
  Rng rng(77);
  Variable x(random_float(c.input, rng), true);
  Variable w(random_float(c.weight, rng), true);
  Variable b(random_float(Shape{c.weight[0]}, rng), true);
  Variable out = conv2d(x, w, b, c.options);
  out.backward(random_float(out.shape(), rng));
  return {out.value(), x.grad(), w.grad(), b.grad()};
}

TEST(Conv2d, SameResultsWithOneAndTwoThreads) {
  // Big enough for every kernel to cut its work into several tasks (small
  // convolutions run on one thread whatever the pool size).
  const std::vector<ConvCase> cases = {
      {{1, 64, 28, 28}, {64, 64, 3, 3}, Conv2dOptions{}.padding(1)},             // one image: pixel tiles
      {{16, 16, 14, 14}, {32, 16, 3, 3}, Conv2dOptions{}.stride(2).padding(1)},  // weight partials
      {{16, 32, 14, 14}, {32, 16, 3, 3}, Conv2dOptions{}.padding(1).groups(2)},
      {{1, 128, 28, 28}, {128, 128, 1, 1}, Conv2dOptions{}},
      {{12, 96, 14, 14}, {192, 96, 1, 1}, Conv2dOptions{}},
      {{8, 64, 28, 28}, {64, 1, 5, 5}, Conv2dOptions{}.padding(2).groups(64)},
      {{16, 64, 28, 28}, {64, 1, 7, 7}, Conv2dOptions{}.stride(2).padding(3).groups(64)},
  };
  for (const auto& c : cases) {
    const auto one = conv_results(c, 1);
    const auto two = conv_results(c, 2);
    for (std::size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], two[i]) << describe(c) << ", result " << i;
  }
}

TEST(Conv2dErrors, ChannelMismatch) {
  Variable x(Tensor({1, 3, 5, 5}));
  Variable w(Tensor({4, 2, 3, 3}));
  try {
    (void)conv2d(x, w, Variable());
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "conv2d: input [1, 3, 5, 5] has 3 channels but weight [4, 2, 3, 3] with 1 groups expects 2");
  }
}

TEST(Conv2dErrors, KernelLargerThanPaddedInput) {
  Variable x(Tensor({1, 1, 2, 2}));
  Variable w(Tensor({1, 1, 5, 5}));
  EXPECT_THROW((void)conv2d(x, w, Variable(), Conv2dOptions{}.padding(1)), ShapeError);
  EXPECT_NO_THROW((void)conv2d(x, w, Variable(), Conv2dOptions{}.padding(2)));
}

TEST(Conv2dErrors, BadGroups) {
  Variable x(Tensor({1, 4, 5, 5}));
  EXPECT_THROW((void)conv2d(x, Variable(Tensor({4, 4, 3, 3})), Variable(), Conv2dOptions{}.groups(0)), ConfigError);
  EXPECT_THROW((void)conv2d(x, Variable(Tensor({3, 1, 3, 3})), Variable(), Conv2dOptions{}.groups(3)), ShapeError);
  EXPECT_THROW((void)conv2d(x, Variable(Tensor({3, 2, 3, 3})), Variable(), Conv2dOptions{}.groups(2)), ShapeError);
}

TEST(Conv2dErrors, BadOptions) {
  Variable x(Tensor({1, 2, 5, 5}));
  Variable w(Tensor({2, 2, 3, 3}));
  EXPECT_THROW((void)conv2d(x, w, Variable(), Conv2dOptions{}.stride(0)), ConfigError);
  EXPECT_THROW((void)conv2d(x, w, Variable(), Conv2dOptions{}.padding(-1)), ConfigError);
}

TEST(Conv2dErrors, BadRanksAndBias) {
  Variable x(Tensor({1, 2, 5, 5}));
  Variable w(Tensor({3, 2, 3, 3}));
  EXPECT_THROW((void)conv2d(Variable(Tensor({2, 5, 5})), w, Variable()), ShapeError);
  EXPECT_THROW((void)conv2d(x, Variable(Tensor({3, 18})), Variable()), ShapeError);
  EXPECT_THROW((void)conv2d(x, Variable(Tensor({3, 2, 0, 3})), Variable()), ShapeError);
  try {
    (void)conv2d(x, w, Variable(Tensor({4})));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "conv2d: bias [4] does not match the 3 output channels of weight [3, 2, 3, 3]");
  }
  EXPECT_THROW((void)conv2d(x, w, Variable(Tensor({3, 1}))), ShapeError);
}

TEST(Linear, ForwardMatchesReference) {
  Rng rng(5);
  for (const auto& [batch, in, out] :
       {std::tuple{3, 7, 5}, std::tuple{40, 100, 10}, std::tuple{1, 33, 65}, std::tuple{256, 300, 200}}) {
    const Tensor x = random_float({batch, in}, rng);
    const Tensor w = random_float({out, in}, rng);
    const Tensor b = random_float({out}, rng);
    const Tensor y = linear(Variable(x), Variable(w), Variable(b)).value();
    const double u = std::numeric_limits<float>::epsilon() / 2.0;
    const double gamma = (in + 1) * u / (1.0 - (in + 1) * u);  // same summation bound as for conv2d
    for (std::int64_t n = 0; n < batch; ++n) {
      for (std::int64_t o = 0; o < out; ++o) {
        double sum = b[o];
        double magnitude = std::abs(sum);
        for (std::int64_t i = 0; i < in; ++i) {
          sum += double{x(n, i)} * double{w(o, i)};
          magnitude += std::abs(double{x(n, i)} * double{w(o, i)});
        }
        ASSERT_NEAR(y(n, o), sum, gamma * magnitude + u * std::abs(sum)) << batch << "x" << in << "->" << out;
      }
    }
  }
}

TEST(Linear, Gradients) {
  Rng rng(8);
  const TensorD x = random_tensor({4, 6}, rng);
  const TensorD w = random_tensor({3, 6}, rng);
  const TensorD b = random_tensor({3}, rng);
  expect_gradients_match([](const auto& v) { return linear(v[0], v[1], v[2]); }, {x, w, b});
  expect_gradients_match([](const auto& v) { return linear(v[0], v[1], VariableD()); }, {x, w});
}

TEST(Linear, LargeGradientsMatchReferenceLoops) {
  // Big enough to be cut into row and column tiles; same bound as the forward check.
  Rng rng(18);
  const std::int64_t batch = 128, in = 300, out = 200;
  Variable x(random_float({batch, in}, rng), true);
  Variable w(random_float({out, in}, rng), true);
  Variable b(random_float({out}, rng), true);
  Variable y = linear(x, w, b);
  const Tensor grad = random_float(y.shape(), rng);
  y.backward(grad);
  Reference input{TensorD({batch, in}), TensorD({batch, in})};
  Reference weight{TensorD({out, in}), TensorD({out, in})};
  Reference bias{TensorD({out}), TensorD({out})};
  for (std::int64_t n = 0; n < batch; ++n) {
    for (std::int64_t o = 0; o < out; ++o) {
      const double g = grad(n, o);
      bias.out[o] += g;
      bias.magnitude[o] += std::abs(g);
      for (std::int64_t i = 0; i < in; ++i) {
        input.out(n, i) += g * double{w.value()(o, i)};
        input.magnitude(n, i) += std::abs(g * double{w.value()(o, i)});
        weight.out(o, i) += g * double{x.value()(n, i)};
        weight.magnitude(o, i) += std::abs(g * double{x.value()(n, i)});
      }
    }
  }
  expect_close_to_reference(x.grad(), input, out, "linear input gradient");
  expect_close_to_reference(w.grad(), weight, batch, "linear weight gradient");
  expect_close_to_reference(b.grad(), bias, batch, "linear bias gradient");
}

TEST(Linear, SameResultsWithOneAndTwoThreads) {
  const auto run = [](int threads) {
    ThreadCountGuard guard(threads);
    Rng rng(4);
    Variable x(random_float({256, 512}, rng), true);
    Variable w(random_float({256, 512}, rng), true);
    Variable b(random_float({256}, rng), true);
    Variable y = linear(x, w, b);
    y.backward(random_float(y.shape(), rng));
    return std::vector<Tensor>{y.value(), x.grad(), w.grad(), b.grad()};
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(LinearErrors, Shapes) {
  Variable w(Tensor({3, 4}));
  try {
    (void)linear(Variable(Tensor({2, 5})), w, Variable());
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "linear: input [2, 5] has 5 features but weight [3, 4] expects 4");
  }
  EXPECT_THROW((void)linear(Variable(Tensor({2, 4})), w, Variable(Tensor({4}))), ShapeError);
  EXPECT_THROW((void)linear(Variable(Tensor({2, 2, 2})), w, Variable()), ShapeError);
  EXPECT_THROW((void)linear(Variable(Tensor({2, 4})), Variable(Tensor({12})), Variable()), ShapeError);
}

}  // namespace
}  // namespace hwnas
