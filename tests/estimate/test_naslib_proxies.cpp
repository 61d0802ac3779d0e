// NASLib's zero-cost proxies (grad_norm, snip, fisher, grasp, synflow,
// naswot, jacov): equal to the reference computation in PyTorch
// (tests/golden/naslib_proxies.py) on fixed networks, weights and data;
// deterministic as estimators over the spaces; clear about bad input and
// about the scores that are not numbers.

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "golden/golden.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/estimate/activation_proxies.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/estimate/gradient_proxies.hpp"
#include "hwnas/estimate/synflow.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "support/expect.hpp"

namespace hwnas::estimate {
namespace {

/// The reference script's networks, layer for layer (children "0", "1", ... as in torch.nn.Sequential).
template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> reference_network(const std::string& name) {
  auto net = std::make_shared<nn::BasicSequential<T>>();
  if (name == "plain") {
    net->template emplace_back<nn::BasicConv2d<T>>(nn::Conv2dSpec{1, 4, 3}.padding(1).bias(false));
    net->template emplace_back<nn::BasicBatchNorm2d<T>>(4);
    net->template emplace_back<nn::BasicReLU<T>>();
    net->template emplace_back<nn::BasicConv2d<T>>(nn::Conv2dSpec{4, 6, 3}.stride(2).padding(1));
    net->template emplace_back<nn::BasicBatchNorm2d<T>>(6);
    net->template emplace_back<nn::BasicReLU<T>>();
  } else {
    net->template emplace_back<nn::BasicConv2d<T>>(nn::Conv2dSpec{1, 4, 3}.padding(1).bias(false));
    net->template emplace_back<nn::BasicBatchNorm2d<T>>(4);
    net->template emplace_back<nn::BasicReLU6<T>>();
    net->template emplace_back<nn::BasicConv2d<T>>(nn::Conv2dSpec{4, 4, 3}.stride(2).padding(1).groups(4).bias(false));
    net->template emplace_back<nn::BasicBatchNorm2d<T>>(4);
    net->template emplace_back<nn::BasicHSwish<T>>();
    net->template emplace_back<nn::BasicConv2d<T>>(nn::Conv2dSpec{4, 5, 1});
    net->template emplace_back<nn::BasicBatchNorm2d<T>>(5);
    net->template emplace_back<nn::BasicReLU<T>>();
  }
  const std::int64_t width = name == "plain" ? 6 : 5;
  net->template emplace_back<nn::BasicGlobalAvgPool2d<T>>();
  net->template emplace_back<nn::BasicFlatten<T>>();
  net->template emplace_back<nn::BasicLinear<T>>(width, 3);
  return net;
}

/// The case's network with its weights, in double precision as the reference.
std::shared_ptr<nn::BasicSequential<double>> loaded_network(const nlohmann::json& c) {
  auto net = reference_network<double>(c["network"].get<std::string>());
  for (const auto& [name, value] : c["parameters"].items())
    net->set_parameter(name, VariableD(testing::golden_tensor<double>(value), true));
  return net;
}

ProxyBatch batch_of(const nlohmann::json& c) {
  return {testing::golden_tensor<float>(c["x"]), c["labels"].get<std::vector<std::int32_t>>()};
}

/// Each proxy's function on a fresh copy of each reference network against
/// the reference value; `tolerance` is relative.
template <class Score>
void expect_matches_reference(const std::string& proxy, Score score, double tolerance) {
  for (const auto& c : testing::golden_cases("naslib_proxies")) {
    auto net = loaded_network(c);
    const double expected = c["scores"][proxy].get<double>();
    EXPECT_NEAR(score(*net, batch_of(c)), expected, tolerance * std::abs(expected))
        << proxy << " on " << c["network"].get<std::string>();
    for (const auto& p : net->named_parameters()) EXPECT_FALSE(p.variable.has_grad()) << proxy << ": grads cleared";
  }
}

TEST(NaslibProxies, GradNormAndSnipMatchReference) {
  expect_matches_reference(
      "grad_norm", [](auto& net, const auto& b) { return weight_gradient_scores(net, b).grad_norm; }, 1e-10);
  expect_matches_reference("snip", [](auto& net, const auto& b) { return weight_gradient_scores(net, b).snip; }, 1e-10);
}

TEST(NaslibProxies, FisherMatchesReference) {
  expect_matches_reference("fisher", [](auto& net, const auto& b) { return fisher(net, b); }, 1e-10);
}

TEST(NaslibProxies, GraspMatchesDoubleBackwardAndRestoresTheWeights) {
  expect_matches_reference("grasp", [](auto& net, const auto& b) { return grasp(net, b); }, 1e-7);
  const auto c = testing::golden_cases("naslib_proxies")[0];
  auto net = loaded_network(c);
  (void)grasp(*net, batch_of(c));
  for (const auto& [name, value] : c["parameters"].items()) {
    const auto expected = testing::golden_tensor<double>(value);
    for (const auto& p : net->named_parameters())
      if (p.name == name) EXPECT_TRUE(p.variable.value().array().isApprox(expected.array(), 0.0)) << name;
  }
}

TEST(NaslibProxies, SynflowMatchesReference) {
  expect_matches_reference(
      "synflow",
      [](auto& net, const auto& b) {
        const Shape& s = b.images.shape();
        return synflow(net, Shape{s[1], s[2], s[3]});
      },
      1e-10);
}

TEST(NaslibProxies, NaswotMatchesReference) {
  expect_matches_reference("naswot", [](auto& net, const auto& b) { return naswot(net, b); }, 1e-10);
}

TEST(NaslibProxies, JacovMatchesReference) {
  expect_matches_reference("jacov", [](auto& net, const auto& b) { return jacov(net, b); }, 1e-8);
}

TEST(NaslibProxies, FloatNetworksAgreeWithDouble) {
  for (const auto& c : testing::golden_cases("naslib_proxies")) {
    auto net = reference_network<float>(c["network"].get<std::string>());
    for (const auto& [name, value] : c["parameters"].items())
      net->set_parameter(name, Variable(testing::golden_tensor<float>(value), true));
    const auto& s = c["scores"];
    const ProxyBatch b = batch_of(c);
    EXPECT_NEAR(fisher(*net, b), s["fisher"].get<double>(), 1e-4 * std::abs(s["fisher"].get<double>()));
    EXPECT_NEAR(naswot(*net, b), s["naswot"].get<double>(), 1e-9 * std::abs(s["naswot"].get<double>()));
    EXPECT_NEAR(jacov(*net, b), s["jacov"].get<double>(), 1e-3 * std::abs(s["jacov"].get<double>()));
  }
}

const data::LabelledImages& images() {
  static const auto set = data::make_synthetic(data::SyntheticSpec{}.samples(64).height(28).width(28).seed(2));
  return set;
}

TEST(NaslibProxies, EveryProxyIsDeterministicOnSampledArchitectures) {
  ProxyOptions options;
  options.data = std::make_shared<const ProxyBatch>(proxy_batch(images(), 16, 1));
  options.seed = 5;
  options.batch = 4;
  const auto space = space::make_space("ofa-fmnist");
  Rng rng(11);
  const std::array archs{space.sample(rng), space.sample(rng)};
  for (const auto& name : proxy_names()) {
    auto proxy = make_proxy(name, space, options);
    EXPECT_EQ(proxy.name(), name);
    for (const auto& arch : archs) {
      const Estimate e = proxy.estimate(arch);
      EXPECT_TRUE(std::isfinite(e.value)) << name;
      EXPECT_EQ(make_proxy(name, space, options).estimate(arch).value, e.value) << name << " is not deterministic";
    }
    EXPECT_NE(proxy.estimate(archs[0]).value, proxy.estimate(archs[1]).value) << name << " tells nothing apart";
  }
}

TEST(NaslibProxies, CostsCountPassesAndImages) {
  ProxyOptions options;
  options.data = std::make_shared<const ProxyBatch>(proxy_batch(images(), 8, 1));
  const auto space = space::make_space("ofa-fmnist");
  Rng rng(2);
  const auto arch = space.sample(rng);
  const Estimate grasp_estimate = make_proxy("grasp", space, options).estimate(arch);
  EXPECT_EQ(grasp_estimate.cost.forward_passes, 3);
  EXPECT_EQ(grasp_estimate.cost.images, 8);
  EXPECT_GT(grasp_estimate.cost.seconds, 0.0);
  const Estimate synflow_estimate = make_proxy("synflow", space, ProxyOptions{}).estimate(arch);
  EXPECT_EQ(synflow_estimate.cost.images, 0) << "synflow is data-free";
  EXPECT_EQ(make_proxy("naswot", space, options).estimate(arch).cost.backward_passes, 0);
}

TEST(NaslibProxies, ProxiesThatNeedDataSayWhatIsMissing) {
  const auto space = space::make_space("nb201");
  for (const auto& name : proxy_names()) {
    if (!proxy_needs_data(name)) {
      EXPECT_NO_THROW((void)make_proxy(name, space, ProxyOptions{})) << name;
      continue;
    }
    testing::expect_error_containing<ConfigError>([&] { (void)make_proxy(name, space, ProxyOptions{}); },
                                                  fmt::format("proxy '{}' needs labelled images", name));
    ProxyOptions empty;
    empty.data = std::make_shared<const ProxyBatch>();
    testing::expect_error_containing<ConfigError>([&] { (void)make_proxy(name, space, empty); },
                                                  "needs a non-empty batch of labelled images");
    ProxyOptions fmnist;
    fmnist.data = std::make_shared<const ProxyBatch>(proxy_batch(images(), 4, 0));
    Rng rng(1);
    testing::expect_error_containing<ConfigError>(
        [&] { (void)make_proxy(name, space, fmnist).estimate(space.sample(rng)); },
        "the architecture takes [3, 32, 32] images, the data has [4, 1, 28, 28]");
  }
  testing::expect_error_containing<ConfigError>([&] { (void)make_proxy("zen-nas", space, ProxyOptions{}); },
                                                "unknown proxy 'zen-nas'; known: zen, gradsign, synflow");
}

TEST(NaslibProxies, ScoresThatAreNotNumbersAreDocumentedValues) {
  // An nb201 cell of `none` edges passes no signal: synflow is log(0).
  const space::Nb201Space nb201;
  const auto dead = nb201.from_json(nlohmann::json::parse(
      R"({"space": "nb201", "arch": "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "classes": 10,)"
      R"( "input": [3, 32, 32]})"));
  NetworkProxy<space::Nb201Space, Synflow> flow(nb201, Synflow{}, nullptr);
  EXPECT_EQ(flow.estimate(dead).value, -std::numeric_limits<double>::infinity());

  // Its output does not depend on the input: every Jacobian row is zero, so jacov is NaN.
  auto net = nb201.build(dead);
  Rng rng(3);
  nn::init::default_init(*net, rng);
  const auto colour_images = data::make_synthetic(data::SyntheticSpec{}.samples(8).channels(3).height(32).width(32));
  const ProxyBatch colour = proxy_batch(colour_images, 8, 0);
  EXPECT_TRUE(std::isnan(jacov(*net, colour)));

  // Two identical images make the NASWOT kernel singular: log|det K| = -inf.
  auto plain = reference_network<float>("plain");
  nn::init::default_init(*plain, rng);
  const ProxyBatch twins{Tensor(Shape{2, 1, 8, 8}, 0.5F), {0, 1}};
  EXPECT_EQ(naswot(*plain, twins), -std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace hwnas::estimate
