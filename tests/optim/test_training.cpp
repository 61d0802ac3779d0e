// End-to-end: layers, losses and optimizers learn small seeded problems.

#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/ops/reduce.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/optim.hpp"

namespace hwnas::optim {
namespace {

TEST(Training, LinearRegressionConverges) {
  Rng rng(1);
  Tensor x(Shape{32, 1});
  nn::init::uniform(x, rng, -1.0, 1.0);
  Tensor y(Shape{32, 1});
  y.array() = 2.0F * x.array() + 1.0F;

  nn::Linear fc(1, 1);
  nn::init::default_init(fc, rng);
  SGD sgd(fc.named_parameters(), SGDOptions{0.1}.momentum(0.9));
  for (int step = 0; step < 150; ++step) {
    sgd.zero_grad();
    const Variable diff = sub(fc(Variable(x)), Variable(y));
    Variable loss = mean(mul(diff, diff));
    loss.backward();
    sgd.step();
  }
  EXPECT_NEAR(fc.weight().value()[0], 2.0F, 1e-3F);
  EXPECT_NEAR(fc.bias().value()[0], 1.0F, 1e-3F);
}

// Class 0: stripes along the width; class 1: stripes along the height. Random
// amplitude, offset and noise make the mean useless, so the conv must learn
// the orientation.
struct StripeData {
  Tensor images;
  std::vector<std::int32_t> labels;
};

StripeData stripes(std::int64_t n, Rng& rng) {
  constexpr std::int64_t side = 8;
  StripeData data{Tensor(Shape{n, 1, side, side}), {}};
  for (std::int64_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::int32_t>(i % 2);
    data.labels.push_back(label);
    const double amplitude = rng.uniform(0.5, 1.5);
    const double offset = rng.uniform(-1.0, 1.0);
    const std::int64_t phase = static_cast<std::int64_t>(rng.uniform_int(2));
    for (std::int64_t h = 0; h < side; ++h) {
      for (std::int64_t w = 0; w < side; ++w) {
        const std::int64_t along = label == 0 ? w : h;
        const double sign = (along + phase) % 2 == 0 ? 1.0 : -1.0;
        data.images(i, std::int64_t{0}, h, w) = static_cast<float>(offset + amplitude * sign + rng.normal(0.0, 0.3));
      }
    }
  }
  return data;
}

double accuracy(nn::Module& net, const StripeData& data) {
  NoGradGuard no_grad;
  const Tensor logits = net(Variable(data.images)).value();
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < logits.size(0); ++i) {
    const std::int32_t predicted = logits(i, std::int64_t{1}) > logits(i, std::int64_t{0}) ? 1 : 0;
    correct += predicted == data.labels[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(logits.size(0));
}

/// Conv-BN-ReLU, global pooling and a linear classifier: the smallest conv net.
void build_tiny_conv_net(nn::Sequential& net, Rng& rng) {
  net.emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 8, 3}.padding(1).bias(false));
  net.emplace_back<nn::BatchNorm2d>(8);
  net.emplace_back<nn::ReLU>();
  net.emplace_back<nn::GlobalAvgPool2d>();
  net.emplace_back<nn::Flatten>();
  net.emplace_back<nn::Linear>(8, 2);
  nn::init::default_init(net, rng);
}

TEST(Training, TinyConvNetSeparatesTwoClasses) {
  Rng rng(3);
  const StripeData data = stripes(64, rng);
  nn::Sequential net;
  build_tiny_conv_net(net, rng);

  SGD sgd(net.named_parameters(),
          SGDOptions{0.2}.momentum(0.9).nesterov(true).weight_decay(1e-4).decay_norm_and_bias(false));
  const CosineSchedule schedule(0.2, 40, 4);
  for (std::int64_t step = 0; step < 40; ++step) {
    sgd.set_lr(schedule.lr(step));
    sgd.zero_grad();
    Variable loss = cross_entropy(net(Variable(data.images)), data.labels, 0.1);
    loss.backward();
    sgd.step();
  }
  net.eval();
  EXPECT_GT(accuracy(net, data), 0.9);
}

TEST(Training, AdamFitsTheSameProblem) {
  Rng rng(4);
  const StripeData data = stripes(64, rng);
  nn::Sequential net;
  build_tiny_conv_net(net, rng);
  AdamW adam(net.named_parameters(), AdamOptions{0.05}.weight_decay(1e-4));
  for (int step = 0; step < 40; ++step) {
    adam.zero_grad();
    Variable loss = cross_entropy(net(Variable(data.images)), data.labels);
    loss.backward();
    adam.step();
  }
  net.eval();
  EXPECT_GT(accuracy(net, data), 0.9);
}

}  // namespace
}  // namespace hwnas::optim
