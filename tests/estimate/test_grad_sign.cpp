// GradSign from batched per-sample gradients equals the reference's one
// pass per sample: exactly in double precision, on every kind of layer the
// spaces use; in float up to the signs of gradient components that are
// rounding noise (batch norm over a single sample cancels most of the
// gradient at initialisation, so many components are at float precision).

#include <gtest/gtest.h>

#include "hwnas/core/ops/loss.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/estimate/gradient_proxies.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/space/proxyless.hpp"
#include "support/expect.hpp"

namespace hwnas::estimate {
namespace {

ProxyBatch batch_of(std::int64_t n, std::int64_t channels, std::int64_t size, std::uint64_t seed) {
  const auto data = data::make_synthetic(
      data::SyntheticSpec{}.samples(n).channels(channels).height(size).width(size).classes(10).seed(seed));
  return {data.images, data.labels};
}

TEST(GradSign, BatchedEqualsOnePassPerSampleExactlyInDouble) {
  // Dense, strided and depthwise convs, batch norm, squeeze-excite, MBConv
  // blocks with and without a residual add, a residual block, pooling, linear.
  nn::BasicSequential<double> net;
  net.emplace_back<nn::BasicConv2d<double>>(nn::Conv2dSpec{2, 8, 3}.stride(2).padding(1).bias(false));
  net.emplace_back<nn::BasicBatchNorm2d<double>>(8);
  net.emplace_back<nn::BasicReLU<double>>();
  net.emplace_back<nn::BasicMBConv<double>>(
      nn::MBConvSpec{8, 8, 5}.expand(3).se(true).activation(nn::Activation::hswish));
  net.emplace_back<nn::BasicMBConv<double>>(nn::MBConvSpec{8, 12, 3}.expand(2).stride(2));
  net.emplace_back<nn::BasicResidualBlock<double>>(12, 12);
  net.emplace_back<nn::BasicGlobalAvgPool2d<double>>();
  net.emplace_back<nn::BasicFlatten<double>>();
  net.emplace_back<nn::BasicLinear<double>>(12, 10);
  Rng rng(11);
  nn::init::default_init(net, rng);
  const ProxyBatch batch = batch_of(6, 2, 12, 12);
  const double batched = grad_sign(net, batch);
  EXPECT_EQ(batched, grad_sign_per_sample_loop(net, batch));
  EXPECT_GT(batched, 0.0);
}

template <class Space>
void expect_batched_near_loop(const Space& space, const ProxyBatch& batch, std::uint64_t seed) {
  Rng rng(seed);
  for (int i = 0; i < 2; ++i) {
    const auto arch = space.sample(rng);
    SCOPED_TRACE(space.canonical(arch));
    auto net = space.build(arch);
    nn::init::default_init(*net, rng);
    const double batched = grad_sign(*net, batch);
    const double loop = grad_sign_per_sample_loop(*net, batch);
    EXPECT_NEAR(batched, loop, 0.01 * loop);
    EXPECT_GT(batched, 0.0);
  }
}

TEST(GradSign, BatchedMatchesOnePassPerSampleOnOfaFmnist) {
  expect_batched_near_loop(space::OfaFmnistSpace{}, batch_of(8, 1, 28, 1), 2);
}

TEST(GradSign, BatchedMatchesOnePassPerSampleOnProxyless) {
  expect_batched_near_loop(space::ProxylessSpace{}, batch_of(8, 1, 28, 3), 4);
}

TEST(GradSign, BatchedMatchesOnePassPerSampleOnNb201) {
  expect_batched_near_loop(space::Nb201Space(10, {1, 16, 16}), batch_of(8, 1, 16, 5), 6);
}

TEST(PerSampleGradients, EqualTheGradientsOfSingleSamplePasses) {
  nn::Sequential net;
  net.emplace_back<nn::Conv2d>(nn::Conv2dSpec{2, 3, 3}.padding(1));
  net.emplace_back<nn::BatchNorm2d>(3);
  net.emplace_back<nn::ReLU>();
  net.emplace_back<nn::GlobalAvgPool2d>();
  net.emplace_back<nn::Flatten>();
  net.emplace_back<nn::Linear>(3, 4);
  Rng rng(7);
  nn::init::default_init(net, rng);
  const ProxyBatch batch = batch_of(4, 2, 5, 8);
  const auto params = net.named_parameters();
  std::vector<Tensor> per_sample_grads;
  {
    nn::PerSampleGradients per_sample(4);
    Variable loss = cross_entropy(net(Variable(batch.images)), batch.labels);
    loss.backward();
    for (const auto& p : params)
      if (p.kind == nn::ParameterKind::weight) per_sample_grads.push_back(per_sample.gradients(p.variable));
    EXPECT_EQ(per_sample.gradients(params[2].variable).numel(), 0) << "BN weights take part as constants";
  }
  EXPECT_EQ(per_sample_grads[0].shape(), (Shape{4, 3, 2, 3, 3}));
  for (std::int64_t s = 0; s < 4; ++s) {
    net.zero_grad();
    Tensor x(Shape{1, 2, 5, 5});
    std::copy(batch.images.data() + s * 50, batch.images.data() + (s + 1) * 50, x.data());
    Variable loss = cross_entropy(net(Variable(x)), std::vector<std::int32_t>{batch.labels[static_cast<std::size_t>(s)]});
    loss.backward();
    std::size_t w = 0;
    for (const auto& p : params) {
      if (p.kind != nn::ParameterKind::weight) continue;
      const Tensor& single = p.variable.grad();
      const Tensor& batched = per_sample_grads[w++];
      for (std::int64_t k = 0; k < single.numel(); ++k)
        EXPECT_NEAR(batched[s * single.numel() + k] * 4.0F, single[k], 1e-5F) << p.name << " sample " << s;
    }
  }
}

TEST(PerSampleGradients, ChecksTheBatch) {
  nn::Linear linear(3, 2);
  nn::PerSampleGradients per_sample(4);
  testing::expect_error_containing<ShapeError>([&] { (void)linear(Variable(Tensor(Shape{2, 3}))); },
                                               "expected a batch of 4");
}

TEST(GradSign, AsAnEstimator) {
  auto batch = std::make_shared<const ProxyBatch>(batch_of(16, 1, 28, 9));
  const space::OfaFmnistSpace space;
  NetworkProxy<space::OfaFmnistSpace, GradSign> gradsign(space, GradSign{}, batch, 1);
  EXPECT_EQ(gradsign.name(), "gradsign");
  Rng rng(10);
  const auto arch = space.sample(rng);
  const Estimate e = gradsign.estimate(arch);
  EXPECT_EQ(gradsign.estimate(arch).value, e.value);
  // At most every weight component of every sample agreeing: 16 x the weight count.
  auto net = space.build(arch);
  std::int64_t weights = 0;
  for (const auto& p : net->named_parameters()) weights += p.kind == nn::ParameterKind::weight ? p.variable.numel() : 0;
  EXPECT_LE(e.value, 16.0 * static_cast<double>(weights));
  EXPECT_GT(e.value, 0.0);
}

}  // namespace
}  // namespace hwnas::estimate
