#include <gtest/gtest.h>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/tap.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Variable x(Tensor({3}, {1.0F, -2.0F, 3.0F}), true);
  add(x, x).backward(Tensor({3}, 1.0F));
  add(x, x).backward(Tensor({3}, 1.0F));
  EXPECT_EQ(x.grad(), Tensor({3}, 4.0F));
  x.zero_grad();
  EXPECT_FALSE(x.has_grad());
}

TEST(Autograd, SharedSubexpressionReceivesBothPaths) {
  Variable x(Tensor({2}, {1.0F, -1.0F}), true);
  Variable y = relu(x);
  add(y, y).backward(Tensor({2}, 1.0F));
  EXPECT_EQ(x.grad(), Tensor({2}, {2.0F, 0.0F}));
}

TEST(Autograd, NoGradRecordsNothing) {
  Variable x(Tensor({2}, 1.0F), true);
  NoGradGuard guard;
  Variable y = add(x, x);
  EXPECT_FALSE(y.requires_grad());
}

TEST(Autograd, DetachCutsHistory) {
  Variable x(Tensor({2}, 1.0F), true);
  Variable d = add(x, x).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.value(), Tensor({2}, 2.0F));
}

TEST(Autograd, SecondBackwardThroughReleasedGraphIsAnError) {
  Variable x(Tensor({2}, 1.0F), true);
  Variable y = relu(x);
  Variable z = add(y, y);
  z.backward(Tensor({2}, 1.0F));
  EXPECT_THROW(add(y, x).backward(Tensor({2}, 1.0F)), ConfigError);
}

TEST(Autograd, RetainGraphAllowsSecondBackward) {
  Variable x(Tensor({2}, 1.0F), true);
  Variable z = relu(x);
  z.backward(Tensor({2}, 1.0F), true);
  z.backward(Tensor({2}, 1.0F));
  EXPECT_EQ(x.grad(), Tensor({2}, 2.0F));
}

TEST(Autograd, BackwardWithoutSeedNeedsScalar) {
  Variable x(Tensor({2}, 1.0F), true);
  EXPECT_THROW(relu(x).backward(), ShapeError);
}

TEST(Autograd, AddChecksShapes) {
  Variable a(Tensor({2, 3}), true);
  Variable b(Tensor({3, 2}), true);
  try {
    (void)add(a, b);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "add: shapes [2, 3] and [3, 2] differ");
  }
}

TEST(Autograd, TapShowsTheGradientAndPassesItOn) {
  Variable x(Tensor({3}, {1.0F, -2.0F, 3.0F}), true);
  Tensor seen_value;
  Tensor seen_grad;
  Variable y = tap<float>(x, [&](const Tensor& value, const Tensor& grad) {
    seen_value = value;
    seen_grad = grad;
  });
  EXPECT_EQ(y.value(), x.value());
  mul(y, Variable(Tensor({3}, {2.0F, 3.0F, 4.0F}))).backward(Tensor({3}, 1.0F));
  EXPECT_EQ(seen_value, x.value());
  EXPECT_EQ(seen_grad, Tensor({3}, {2.0F, 3.0F, 4.0F}));
  EXPECT_EQ(x.grad(), seen_grad);
}

TEST(Gradcheck, AddAndRelu) {
  Rng rng(1);
  testing::expect_gradients_match(
      [](const auto& v) { return relu(add(v[0], v[1])); },
      {testing::random_tensor({2, 3, 4}, rng), testing::random_tensor({2, 3, 4}, rng)});
}

}  // namespace
}  // namespace hwnas
