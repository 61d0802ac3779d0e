#pragma once
// What the inheritance tests share: networks with trained-looking state (so
// that copying batch-norm statistics matters) and comparisons of two
// networks' outputs on the same input.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/random.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::testing {

/// Default weights from `seed`, then every batch norm given a random scale,
/// shift and running statistics, as training would leave them, and linear
/// layers weights large enough that the output depends on every unit.
template <Scalar T>
void randomise(nn::BasicModule<T>& net, std::uint64_t seed) {
  Rng rng(seed);
  nn::init::default_init(net, rng);
  for (const auto& m : net.named_modules()) {
    if (auto* linear = dynamic_cast<nn::BasicLinear<T>*>(m.module.get()))
      nn::init::uniform(linear->weight().value(), rng, -0.5, 0.5);
    auto* bn = dynamic_cast<nn::BasicBatchNorm2d<T>*>(m.module.get());
    if (bn == nullptr) continue;
    nn::init::uniform(bn->weight().value(), rng, 0.5, 1.5);
    nn::init::uniform(bn->bias().value(), rng, -0.3, 0.3);
    nn::init::uniform(bn->running_mean(), rng, -0.2, 0.2);
    nn::init::uniform(bn->running_var(), rng, 0.5, 2.0);
  }
}

template <Scalar T>
BasicTensor<T> random_input(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  BasicTensor<T> x(shape);
  nn::init::uniform(x, rng, 0.0, 1.0);
  return x;
}

/// Expects the outputs of `child` and `parent` on `x` to agree within
/// `relative` of the output's largest magnitude, both in `parent`'s mode.
/// (HWNAS_INHERIT_VERBOSE prints the margins.)
template <Scalar T>
void expect_same_function(nn::BasicModule<T>& parent, nn::BasicModule<T>& child, const BasicTensor<T>& x,
                          double relative) {
  const BasicTensor<T> expected = parent(BasicVariable<T>(x)).value();
  const BasicTensor<T> actual = child(BasicVariable<T>(x)).value();
  ASSERT_EQ(actual.shape(), expected.shape());
  double scale = 0.0;
  for (const T v : expected.values()) scale = std::max(scale, std::abs(static_cast<double>(v)));
  ASSERT_GT(scale, 0.0) << "an all-zero output would hide any difference";
  double worst = 0.0;
  for (std::int64_t i = 0; i < expected.numel(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(actual[i]) - static_cast<double>(expected[i])));
  EXPECT_LE(worst, relative * scale) << "largest difference " << worst << " at output scale " << scale;
  if (std::getenv("HWNAS_INHERIT_VERBOSE") != nullptr)
    std::cout << "relative difference " << worst / scale << " at output scale " << scale << "\n";
}

/// The same in evaluation mode, then (when `train_too`) in training mode.
template <Scalar T>
void expect_same_function_in_modes(nn::BasicModule<T>& parent, nn::BasicModule<T>& child, const BasicTensor<T>& x,
                                   double relative, bool train_too) {
  parent.eval();
  child.eval();
  {
    SCOPED_TRACE("evaluation mode");
    expect_same_function(parent, child, x, relative);
  }
  if (!train_too) return;
  parent.train();
  child.train();
  SCOPED_TRACE("training mode");
  expect_same_function(parent, child, x, relative);
}

/// Names and shapes of every parameter and buffer.
template <Scalar T>
std::vector<std::string> entry_shapes(const nn::BasicModule<T>& net) {
  std::vector<std::string> out;
  for (const auto& p : net.named_parameters()) out.push_back(p.name + fmt::format("{}", p.variable.shape()));
  for (const auto& b : net.named_buffers()) out.push_back(b.name + fmt::format("{}", b.tensor->shape()));
  return out;
}

}  // namespace hwnas::testing
