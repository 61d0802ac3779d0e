#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/ops/loss.hpp"
#include "support/gradcheck.hpp"

namespace hwnas {
namespace {

using testing::expect_gradients_match;
using testing::random_tensor;

template <class Error, class F>
std::string error_message(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return {};
}

// ---------------------------------------------------------- softmax families

TEST(Softmax, RowsSumToOneAndLogMatches) {
  Rng rng(1);
  const VariableD x(random_tensor({3, 5}, rng, -3, 3));
  const TensorD p = softmax(x).value();
  const TensorD lp = log_softmax(x).value();
  for (std::int64_t r = 0; r < 3; ++r) {
    double total = 0.0;
    for (std::int64_t k = 0; k < 5; ++k) {
      total += p(r, k);
      EXPECT_NEAR(std::log(p(r, k)), lp(r, k), 1e-12);
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
  }
}

TEST(Softmax, HandValuesAndLargeLogits) {
  const VariableD x(TensorD({2, 2}, {0.0, std::log(3.0), 1000.0, 1000.0 + std::log(3.0)}));
  const TensorD p = softmax(x).value();
  for (std::int64_t r = 0; r < 2; ++r) {
    EXPECT_NEAR(p(r, 0), 0.25, 1e-12);
    EXPECT_NEAR(p(r, 1), 0.75, 1e-12);
  }
  const Tensor lp = log_softmax(Variable(Tensor({1, 2}, {-1e30F, 0.0F}))).value();
  EXPECT_TRUE(std::isfinite(lp[0]));
  EXPECT_FLOAT_EQ(lp[1], 0.0F);
}

TEST(Gradcheck, SoftmaxAndLogSoftmax) {
  Rng rng(2);
  expect_gradients_match([](const auto& v) { return softmax(v[0]); }, {random_tensor({3, 4}, rng, -2, 2)});
  expect_gradients_match([](const auto& v) { return log_softmax(v[0]); }, {random_tensor({3, 4}, rng, -2, 2)});
}

TEST(Softmax, NeedsMatrices) {
  EXPECT_THROW((void)softmax(VariableD(TensorD({2, 3, 4}))), ShapeError);
  EXPECT_THROW((void)log_softmax(VariableD(TensorD({3}))), ShapeError);
}

// -------------------------------------------------------------- cross entropy

TEST(CrossEntropy, UniformLogitsGiveLogK) {
  const std::vector<std::int32_t> labels{0, 3, 6};
  const VariableD logits(TensorD({3, 7}, 0.25));
  EXPECT_NEAR(cross_entropy(logits, labels).item(), std::log(7.0), 1e-12);
  EXPECT_NEAR(cross_entropy(logits, labels, 0.3).item(), std::log(7.0), 1e-12);
}

TEST(CrossEntropy, HandValues) {
  // Row 0: logits (1, 2, 3), label 0; row 1: logits (0, 0, log 2), label 2.
  const VariableD logits(TensorD({2, 3}, {1.0, 2.0, 3.0, 0.0, 0.0, std::log(2.0)}));
  const std::vector<std::int32_t> labels{0, 2};
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double lp0[3] = {1.0 - lse0, 2.0 - lse0, 3.0 - lse0};
  const double lp1[3] = {std::log(0.25), std::log(0.25), std::log(0.5)};
  EXPECT_NEAR(cross_entropy(logits, labels).item(), (-lp0[0] - lp1[2]) / 2.0, 1e-12);

  // Smoothing eps: target (1 - eps) * onehot + eps / K.
  const double eps = 0.1;
  const auto smoothed = [&](const double* lp, int label) {
    double loss = 0.0;
    for (int k = 0; k < 3; ++k) loss -= ((k == label ? 1.0 - eps : 0.0) + eps / 3.0) * lp[k];
    return loss;
  };
  EXPECT_NEAR(cross_entropy(logits, labels, eps).item(), (smoothed(lp0, 0) + smoothed(lp1, 2)) / 2.0, 1e-12);
  EXPECT_NEAR(cross_entropy(logits, labels, eps).item(), 0.5 * (2.3076059644443806 + smoothed(lp1, 2)), 1e-12);
}

TEST(CrossEntropy, FloatMatchesDouble) {
  Rng rng(3);
  const TensorD logits = random_tensor({4, 6}, rng, -4, 4);
  const std::vector<std::int32_t> labels{5, 0, 2, 2};
  const double expected = cross_entropy(VariableD(logits), labels, 0.2).item();
  EXPECT_NEAR(cross_entropy(Variable(logits.cast<float>()), labels, 0.2).item(), expected, 1e-5);
}

TEST(Gradcheck, CrossEntropy) {
  Rng rng(4);
  const std::vector<std::int32_t> labels{1, 0, 3};
  for (double eps : {0.0, 0.15}) {
    expect_gradients_match([&](const auto& v) { return cross_entropy(v[0], labels, eps); },
                           {random_tensor({3, 4}, rng, -2, 2)});
  }
}

TEST(CrossEntropy, ErrorCases) {
  const VariableD logits(TensorD({2, 3}));
  const std::vector<std::int32_t> out_of_range{0, 3};
  EXPECT_EQ(error_message<ConfigError>([&] { (void)cross_entropy(logits, out_of_range); }),
            "cross_entropy: label 3 (sample 1) is outside [0, 3) for 3 classes");
  const std::vector<std::int32_t> negative{-1, 0};
  EXPECT_EQ(error_message<ConfigError>([&] { (void)cross_entropy(logits, negative); }),
            "cross_entropy: label -1 (sample 0) is outside [0, 3) for 3 classes");
  const std::vector<std::int32_t> too_few{0};
  EXPECT_EQ(error_message<ShapeError>([&] { (void)cross_entropy(logits, too_few); }),
            "cross_entropy: 1 labels given for logits of shape [2, 3]");
  EXPECT_EQ(error_message<ShapeError>(
                [&] { (void)cross_entropy(VariableD(TensorD({0, 3})), std::vector<std::int32_t>{}); }),
            "cross_entropy: empty batch, logits of shape [0, 3]");
  EXPECT_EQ(error_message<ShapeError>([&] { (void)cross_entropy(VariableD(TensorD({6})), out_of_range); }),
            "cross_entropy: expected [N, K] logits, got [6]");
  const std::vector<std::int32_t> fine{0, 2};
  EXPECT_THROW((void)cross_entropy(logits, fine, -0.1), ConfigError);
  EXPECT_THROW((void)cross_entropy(logits, fine, 1.5), ConfigError);
}

// ------------------------------------------------------------- KL divergence

TEST(KlDiv, IdenticalLogitsGiveZero) {
  Rng rng(5);
  const TensorD logits = random_tensor({3, 4}, rng, -3, 3);
  EXPECT_NEAR(kl_div_logits(VariableD(logits), VariableD(logits)).item(), 0.0, 1e-12);
  EXPECT_NEAR(kl_div_logits(VariableD(logits), VariableD(logits), 4.0).item(), 0.0, 1e-12);
}

TEST(KlDiv, HandValue) {
  // q = (1/2, 1/2), p = (3/4, 1/4): KL = 3/4 log(3/2) + 1/4 log(1/2).
  const VariableD student(TensorD({1, 2}, {0.0, 0.0}));
  const VariableD teacher(TensorD({1, 2}, {std::log(3.0), 0.0}));
  const double expected = 0.75 * std::log(1.5) + 0.25 * std::log(0.5);
  EXPECT_NEAR(kl_div_logits(student, teacher).item(), expected, 1e-12);
  // Temperature 2 on doubled teacher logits gives the same distributions.
  const VariableD hot_teacher(TensorD({1, 2}, {2.0 * std::log(3.0), 0.0}));
  EXPECT_NEAR(kl_div_logits(student, hot_teacher, 2.0).item(), expected, 1e-12);
  // The batch mean of a row with KL 0 and this row halves it.
  const VariableD students(TensorD({2, 2}, {0.0, 0.0, 1.0, 1.0}));
  const VariableD teachers(TensorD({2, 2}, {std::log(3.0), 0.0, 5.0, 5.0}));
  EXPECT_NEAR(kl_div_logits(students, teachers).item(), expected / 2.0, 1e-12);
}

TEST(Gradcheck, KlDivReachesBoth) {
  Rng rng(6);
  for (double temperature : {1.0, 3.0}) {
    expect_gradients_match([&](const auto& v) { return kl_div_logits(v[0], v[1], temperature); },
                           {random_tensor({3, 4}, rng, -2, 2), random_tensor({3, 4}, rng, -2, 2)});
  }
}

TEST(KlDiv, DetachedTeacherGetsNoGradient) {
  Rng rng(7);
  VariableD student(random_tensor({2, 3}, rng), true);
  VariableD teacher(random_tensor({2, 3}, rng), true);
  kl_div_logits(student, teacher.detach(), 2.0).backward();
  EXPECT_TRUE(student.has_grad());
  EXPECT_FALSE(teacher.has_grad());
}

TEST(KlDiv, ErrorCases) {
  const VariableD a(TensorD({2, 3}));
  EXPECT_EQ(error_message<ShapeError>([&] { (void)kl_div_logits(a, VariableD(TensorD({2, 4}))); }),
            "kl_div_logits: shapes [2, 3] and [2, 4] differ");
  EXPECT_EQ(error_message<ShapeError>([&] { (void)kl_div_logits(VariableD(TensorD({0, 3})), VariableD(TensorD({0, 3}))); }),
            "kl_div_logits: empty batch, logits of shape [0, 3]");
  EXPECT_THROW((void)kl_div_logits(VariableD(TensorD({6})), VariableD(TensorD({6}))), ShapeError);
  EXPECT_THROW((void)kl_div_logits(a, a, 0.0), ConfigError);
  EXPECT_THROW((void)kl_div_logits(a, a, -1.0), ConfigError);
}

TEST(KlDiv, FloatMatchesDouble) {
  Rng rng(8);
  const TensorD s = random_tensor({3, 5}, rng, -3, 3);
  const TensorD t = random_tensor({3, 5}, rng, -3, 3);
  const double expected = kl_div_logits(VariableD(s), VariableD(t), 2.0).item();
  Variable sf(s.cast<float>(), true);
  Variable tf(t.cast<float>(), true);
  Variable loss = kl_div_logits(sf, tf, 2.0);
  EXPECT_NEAR(loss.item(), expected, 1e-5);
  loss.backward();
  EXPECT_TRUE(sf.has_grad());
  EXPECT_TRUE(tf.has_grad());
  EXPECT_NEAR(softmax(sf).value()[0], softmax(VariableD(s)).value()[0], 1e-6);
}

}  // namespace
}  // namespace hwnas
