// The SMASH estimator: architectures are scored with generated weights after
// batch-norm recalibration; it is an AccuracyEstimator a Searcher takes, and
// it serves `ofa-fmnist` only.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <vector>

#include "hwnas/cost/size_costs.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/hypernet.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/search/searcher.hpp"
#include "hwnas/train/bn_recalibration.hpp"
#include "support/expect.hpp"

namespace hwnas::hypernet {
namespace {

static_assert(estimate::AccuracyEstimator<SmashAccuracy, space::OfaFmnistSpace>);

struct Fixture {
  std::shared_ptr<SmashHypernet> hypernet = std::make_shared<SmashHypernet>(SmashHypernetOptions{}.hidden(4));
  std::shared_ptr<const data::LabelledImages> validation;
  std::vector<Tensor> calibration;
};

Fixture setup() {
  Fixture s;
  Rng rng(1);
  nn::init::default_init(*s.hypernet, rng);
  const auto images =
      data::make_synthetic(data::SyntheticSpec{}.samples(40).channels(1).height(28).width(28).classes(4).seed(2));
  s.validation = std::make_shared<const data::LabelledImages>(images);
  s.calibration = train::recalibration_batches(images, 16, 8, 3);
  return s;
}

TEST(SmashAccuracy, ScoresTheGeneratedNetworkAfterRecalibration) {
  const Fixture s = setup();
  const SmashAccuracy estimator(s.hypernet, s.validation, s.calibration, 25);
  EXPECT_EQ(estimator.name(), "smash");
  EXPECT_TRUE(estimator.thread_safe());
  const space::OfaFmnistArch arch = space::OfaFmnistSpace{}.smallest();
  const auto e = estimator.estimate(arch);
  EXPECT_GE(e.value, 0.0);
  EXPECT_LE(e.value, 1.0);
  EXPECT_EQ(e.cost.forward_passes, 1 + 2 + 2) << "the generator, two recalibration and two validation batches";
  EXPECT_EQ(e.cost.images, 16 + 40);
  EXPECT_GT(e.cost.seconds, 0.0);

  const auto network = s.hypernet->extract(arch);
  train::recalibrate_batch_norm(*network, s.calibration);
  EXPECT_EQ(e.value, train::evaluate(*network, *s.validation, 25).accuracy);

  // Deterministic, whatever the hypernetwork generated last and whatever its
  // running statistics hold.
  s.hypernet->generate(space::OfaFmnistSpace{}.largest());
  for (auto& buffer : s.hypernet->named_buffers()) buffer.tensor->fill(buffer.name.ends_with("var") ? 50.0F : -3.0F);
  EXPECT_EQ(estimator.estimate(arch).value, e.value);
  EXPECT_EQ(estimator.estimate(space::AnyArch(arch)).value, e.value);
}

TEST(SmashAccuracy, ConcurrentEstimatesMatchSequentialOnes) {
  const Fixture s = setup();
  const SmashAccuracy estimator(s.hypernet, s.validation, s.calibration);
  Rng rng(4);
  const std::vector<space::OfaFmnistArch> archs{space::OfaFmnistSpace{}.sample(rng),
                                                space::OfaFmnistSpace{}.sample(rng)};
  std::vector<double> sequential;
  for (const auto& arch : archs) sequential.push_back(estimator.estimate(arch).value);
  std::vector<std::future<double>> futures;
  for (const auto& arch : archs)
    futures.push_back(std::async(std::launch::async, [&] { return estimator.estimate(arch).value; }));
  for (std::size_t i = 0; i < archs.size(); ++i) EXPECT_EQ(futures[i].get(), sequential[i]);
}

TEST(SmashAccuracy, RanksCandidatesInASearch) {
  const Fixture s = setup();
  const space::OfaFmnistSpace space;
  search::Searcher searcher(space, SmashAccuracy(s.hypernet, s.validation, s.calibration),
                            cost::SizeCost(space, cost::SizeCost<space::OfaFmnistSpace>::Measure::macs),
                            search::RandomSearch(space, 0), search::SearchOptions{}.max_evaluations(3).batch(3));
  const auto result = searcher.run();
  ASSERT_TRUE(result.best.has_value());
  EXPECT_GE(result.best->accuracy, 0.0);
  EXPECT_LE(result.best->accuracy, 1.0);
}

TEST(SmashAccuracy, RejectsOtherSpacesAndMissingInputs) {
  const Fixture s = setup();
  const SmashAccuracy estimator(s.hypernet, s.validation, s.calibration);
  const space::AnySpace proxyless = space::make_space("proxyless");
  Rng rng(5);
  testing::expect_error_containing<ConfigError>([&] { static_cast<void>(estimator.estimate(proxyless.sample(rng))); },
                                                "ofa-fmnist only");
  testing::expect_error_containing<ConfigError>([&] { SmashAccuracy(s.hypernet, s.validation, {}); },
                                                "recalibration batches");
  testing::expect_error_containing<ConfigError>([&] { SmashAccuracy(nullptr, s.validation, s.calibration); },
                                                "hypernetwork");
}

}  // namespace
}  // namespace hwnas::hypernet
