#include <array>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/ops/reshape.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::expect_gradients_match;
using testing::random_tensor;

/// 0, 1, 2, ... in row-major order, so slices are easy to read off.
TensorD iota(const Shape& shape) {
  TensorD t(shape);
  std::iota(t.values().begin(), t.values().end(), 0.0);
  return t;
}

// -------------------------------------------------------- reshape and flatten

TEST(Reshape, KeepsRowMajorOrder) {
  VariableD x(iota({2, 3}));
  const VariableD y = reshape(x, Shape{3, 2});
  EXPECT_EQ(y.value(), TensorD({3, 2}, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(reshape(VariableD(TensorD({1, 1}, {7.0})), Shape{}).value(), TensorD::scalar(7.0));
}

TEST(Reshape, ElementCountMustMatch) {
  testing::expect_error_message<ShapeError>([] { (void)reshape(VariableD(TensorD({2, 3})), Shape{4, 2}); },
                     "reshape: cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)");
}

TEST(Flatten, KeepsTheBatchAxis) {
  EXPECT_EQ(flatten(VariableD(TensorD({2, 3, 4, 5}))).shape(), Shape({2, 60}));
  EXPECT_EQ(flatten(VariableD(TensorD({3}))).shape(), Shape({3, 1}));
  EXPECT_EQ(flatten(VariableD(TensorD({0, 3, 2}))).shape(), Shape({0, 6}));
  testing::expect_error_message<ShapeError>([] { (void)flatten(VariableD(TensorD::scalar(1.0))); },
                     "flatten: needs at least one dimension, got shape []");
}

TEST(Gradcheck, ReshapeAndFlatten) {
  Rng rng(1);
  expect_gradients_match([](const auto& v) { return reshape(v[0], Shape{4, 3}); }, {random_tensor({2, 6}, rng)});
  expect_gradients_match([](const auto& v) { return flatten(v[0]); }, {random_tensor({2, 3, 2, 2}, rng)});
}

// ------------------------------------------------------------ concat_channels

TEST(ConcatChannels, StacksChannelsPerSample) {
  VariableD a(TensorD({2, 1, 1, 2}, {1, 2, 3, 4}));
  VariableD b(TensorD({2, 2, 1, 2}, {10, 11, 12, 13, 20, 21, 22, 23}));
  const std::vector<VariableD> xs{a, b};
  const VariableD y = concat_channels(xs);
  EXPECT_EQ(y.value(), TensorD({2, 3, 1, 2}, {1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}));
  const std::array<VariableD, 2> as_array{a, b};
  EXPECT_EQ(concat_channels(as_array).value(), y.value());
  EXPECT_EQ(concat_channels(std::span<const VariableD>(xs)).value(), y.value());
}

TEST(Gradcheck, ConcatChannels) {
  Rng rng(2);
  expect_gradients_match([](const auto& v) { return concat_channels(v); },
                         {random_tensor({2, 1, 2, 3}, rng), random_tensor({2, 3, 2, 3}, rng),
                          random_tensor({2, 2, 2, 3}, rng)});
}

TEST(ConcatChannels, GradientOnlyToInputsThatNeedIt) {
  VariableD a(TensorD({1, 1, 1, 1}, {1.0}), true);
  VariableD b(TensorD({1, 2, 1, 1}, {2.0, 3.0}), false);
  const std::vector<VariableD> xs{a, b, a};
  concat_channels(xs).backward(TensorD({1, 4, 1, 1}, {1.0, 2.0, 3.0, 4.0}));
  EXPECT_EQ(a.grad(), TensorD({1, 1, 1, 1}, {5.0}));  // both copies of a
  EXPECT_FALSE(b.has_grad());
}

TEST(ConcatChannels, ChecksShapes) {
  const VariableD a(TensorD({2, 1, 3, 3}));
  const auto expect_mismatch = [&](const Shape& other, const char* message) {
    const std::vector<VariableD> xs{a, VariableD(TensorD(other))};
    testing::expect_error_message<ShapeError>([&] { (void)concat_channels(xs); }, message);
  };
  expect_mismatch({3, 1, 3, 3}, "concat_channels: input 1 of shape [3, 1, 3, 3] does not match input 0 of shape "
                                "[2, 1, 3, 3] in N, H and W");
  expect_mismatch({2, 4, 2, 3}, "concat_channels: input 1 of shape [2, 4, 2, 3] does not match input 0 of shape "
                                "[2, 1, 3, 3] in N, H and W");
  expect_mismatch({2, 4, 3, 1}, "concat_channels: input 1 of shape [2, 4, 3, 1] does not match input 0 of shape "
                                "[2, 1, 3, 3] in N, H and W");
  expect_mismatch({2, 9}, "concat_channels: input 1 of shape [2, 9] does not match input 0 of shape "
                          "[2, 1, 3, 3] in N, H and W");
  testing::expect_error_message<ShapeError>([] { (void)concat_channels(std::vector<VariableD>{VariableD(TensorD({2, 3}))}); },
                     "concat_channels: expected NCHW inputs, input 0 has shape [2, 3]");
  testing::expect_error_message<ShapeError>([] { (void)concat_channels(std::vector<VariableD>{}); },
                     "concat_channels: needs at least one input");
}

// --------------------------------------------------------------------- narrow

TEST(Narrow, SlicesAnyAxis) {
  const VariableD x(iota({2, 3, 4}));
  EXPECT_EQ(narrow(x, 0, 1, 1).value(), TensorD({1, 3, 4}, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
  EXPECT_EQ(narrow(x, 1, 1, 2).value(), TensorD({2, 2, 4}, {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}));
  EXPECT_EQ(narrow(x, 2, 1, 2).value(), TensorD({2, 3, 2}, {1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}));
  EXPECT_EQ(narrow(x, -1, 1, 2).value(), narrow(x, 2, 1, 2).value());
  EXPECT_EQ(narrow(x, 1, 3, 0).shape(), Shape({2, 0, 4}));
  EXPECT_EQ(narrow(VariableD(iota({5})), 0, 2, 2).value(), TensorD({2}, {2, 3}));
}

TEST(Narrow, CentreOfAKernel) {
  // A 5x5 kernel's centre 3x3, as taken by elastic kernel sizes.
  const VariableD w(iota({1, 1, 5, 5}));
  const VariableD centre = narrow(narrow(w, 2, 1, 3), 3, 1, 3);
  EXPECT_EQ(centre.value(), TensorD({1, 1, 3, 3}, {6, 7, 8, 11, 12, 13, 16, 17, 18}));
}

TEST(Narrow, OverlappingSlicesAccumulate) {
  VariableD w(iota({4, 2}), true);
  VariableD first = narrow(w, 0, 0, 3);
  VariableD last = narrow(w, 0, 1, 3);
  const TensorD seed({3, 2}, 1.0);
  first.backward(seed);
  last.backward(seed);
  EXPECT_EQ(w.grad(), TensorD({4, 2}, {1, 1, 2, 2, 2, 2, 1, 1}));
}

TEST(Gradcheck, NarrowEveryAxisOfEveryRank) {
  Rng rng(3);
  const std::vector<Shape> shapes{{5}, {4, 3}, {2, 4, 3}, {3, 2, 4, 5}};
  for (const Shape& shape : shapes) {
    for (std::int64_t axis = 0; axis < shape.rank(); ++axis) {
      const std::int64_t size = shape[axis];
      const std::int64_t start = size > 2 ? 1 : 0;
      const std::int64_t length = size - start - (size > 3 ? 1 : 0);
      SCOPED_TRACE(fmt::format("shape {} axis {} start {} length {}", shape, axis, start, length));
      expect_gradients_match([=](const auto& v) { return narrow(v[0], axis, start, length); },
                             {random_tensor(shape, rng)});
    }
  }
}

TEST(Narrow, BadRangesAreErrors) {
  const VariableD x(TensorD({2, 3, 4}));
  testing::expect_error_message<ShapeError>([&] { (void)narrow(x, 3, 0, 1); }, "narrow: axis 3 out of range for shape [2, 3, 4]");
  testing::expect_error_message<ShapeError>([&] { (void)narrow(x, -4, 0, 1); }, "narrow: axis -4 out of range for shape [2, 3, 4]");
  testing::expect_error_message<ShapeError>([&] { (void)narrow(x, 1, -1, 2); },
                     "narrow: range start -1 length 2 out of bounds for axis 1 of size 3 in shape [2, 3, 4]");
  testing::expect_error_message<ShapeError>([&] { (void)narrow(x, 1, 0, -1); },
                     "narrow: range start 0 length -1 out of bounds for axis 1 of size 3 in shape [2, 3, 4]");
  testing::expect_error_message<ShapeError>([&] { (void)narrow(x, 2, 2, 3); },
                     "narrow: range start 2 length 3 out of bounds for axis 2 of size 4 in shape [2, 3, 4]");
  testing::expect_error_message<ShapeError>([&] { (void)narrow(x, 1, 4, 0); },
                     "narrow: range start 4 length 0 out of bounds for axis 1 of size 3 in shape [2, 3, 4]");
  testing::expect_error_message<ShapeError>([] { (void)narrow(VariableD(TensorD::scalar(1.0)), 0, 0, 1); },
                     "narrow: axis 0 out of range for shape []");
}

TEST(ShapeOps, FloatInstantiations) {
  Variable a(Tensor({1, 2, 2, 2}, 1.0F), true);
  Variable b(Tensor({1, 1, 2, 2}, 2.0F), true);
  const std::vector<Variable> xs{a, b};
  Variable y = flatten(narrow(concat_channels(xs), 1, 1, 2));
  EXPECT_EQ(y.value(), Tensor({1, 8}, {1.0F, 1.0F, 1.0F, 1.0F, 2.0F, 2.0F, 2.0F, 2.0F}));
  reshape(y, Shape{2, 4}).backward(Tensor({2, 4}, 1.0F));
  EXPECT_EQ(a.grad(), Tensor({1, 2, 2, 2}, {0.0F, 0.0F, 0.0F, 0.0F, 1.0F, 1.0F, 1.0F, 1.0F}));
  EXPECT_EQ(b.grad(), Tensor({1, 1, 2, 2}, 1.0F));
}

}  // namespace
}  // namespace hwnas
