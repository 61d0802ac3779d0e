// The supernet estimator: subnets are scored with inherited weights after
// batch-norm recalibration, so the supernet's stale running statistics do
// not matter; it is an AccuracyEstimator a Searcher takes.

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/cost/size_costs.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/search/searcher.hpp"
#include "hwnas/supernet/supernet_accuracy.hpp"
#include "hwnas/train/metrics.hpp"
#include "support/expect.hpp"
#include "supernet/fake_supernet.hpp"

namespace hwnas::supernet {
namespace {

static_assert(estimate::AccuracyEstimator<SupernetAccuracy<FakeSupernet>, space::OfaFmnistSpace>);

struct Fixture {
  std::shared_ptr<FakeSupernet> supernet = std::make_shared<FakeSupernet>();
  std::shared_ptr<const data::LabelledImages> validation;
  std::vector<Tensor> calibration;
};

Fixture setup() {
  Fixture s;
  const auto images =
      data::make_synthetic(data::SyntheticSpec{}.samples(160).channels(1).height(8).width(8).classes(3).seed(6));
  s.validation = std::make_shared<const data::LabelledImages>(images);
  s.calibration = train::recalibration_batches(images, 64, 32, 1);
  return s;
}

TEST(SupernetAccuracy, ScoresTheExtractedSubnetAfterRecalibration) {
  const Fixture s = setup();
  const SupernetAccuracy<FakeSupernet> estimator(s.supernet, s.validation, s.calibration, 50);
  const space::OfaFmnistArch arch = space::OfaFmnistSpace{}.largest();
  const auto e = estimator.estimate(arch);

  const auto subnet = s.supernet->extract(arch);
  train::recalibrate_batch_norm(*subnet, s.calibration);
  EXPECT_EQ(e.value, train::evaluate(*subnet, *s.validation).accuracy);
  EXPECT_EQ(e.cost.forward_passes, 2 + 4) << "two recalibration batches, four validation batches of 50";
  EXPECT_EQ(e.cost.images, 64 + 160);
  EXPECT_GT(e.cost.seconds, 0.0);

  // Statistics left by whichever subnet trained last do not reach the estimate.
  for (auto& buffer : s.supernet->named_buffers()) buffer.tensor->fill(buffer.name.ends_with("var") ? 50.0F : -3.0F);
  EXPECT_EQ(estimator.estimate(arch).value, e.value);
}

TEST(SupernetAccuracy, RanksCandidatesInASearch) {
  const Fixture s = setup();
  const space::OfaFmnistSpace space;
  search::Searcher searcher(space, SupernetAccuracy<FakeSupernet>(s.supernet, s.validation, s.calibration),
                            cost::SizeCost(space, cost::SizeCost<space::OfaFmnistSpace>::Measure::macs),
                            search::RandomSearch(space, 0), search::SearchOptions{}.max_evaluations(6).batch(3));
  const auto result = searcher.run();
  ASSERT_TRUE(result.best.has_value());
  EXPECT_GE(result.best->accuracy, 0.0);
  EXPECT_LE(result.best->accuracy, 1.0);
}

TEST(SupernetAccuracy, NeedsValidationImagesAndCalibrationBatches) {
  const Fixture s = setup();
  testing::expect_error_containing<ConfigError>(
      [&] { SupernetAccuracy<FakeSupernet>(s.supernet, s.validation, {}); }, "recalibration batches");
  testing::expect_error_containing<ConfigError>(
      [&] { SupernetAccuracy<FakeSupernet>(s.supernet, nullptr, s.calibration); }, "validation images");
}

}  // namespace
}  // namespace hwnas::supernet
