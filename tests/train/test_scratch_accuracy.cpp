// Train-from-scratch accuracy: it trains each architecture once, caches the
// result on disk under a key that changes with anything the result depends
// on, survives restarts, and rejects a corrupt cache with a clear error.

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "hwnas/core/io.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/train/scratch_accuracy.hpp"
#include "support/expect.hpp"

namespace hwnas::train {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const data::LabelledImages> images(std::int64_t samples, std::uint64_t seed) {
  return std::make_shared<const data::LabelledImages>(
      data::make_synthetic(data::SyntheticSpec{}.samples(samples).height(28).width(28).seed(seed)));
}

TrainOptions budget() { return TrainOptions{}.epochs(1).batch_size(16).lr(0.05).seed(3).threads(2); }

fs::path fresh_path(const std::string& name) {
  const fs::path path = fs::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()) + ".jsonl");
  fs::remove(path);
  return path;
}

using Scratch = ScratchAccuracy<space::OfaFmnistSpace>;

Scratch scratch(std::shared_ptr<ScratchCache> cache, TrainOptions options = budget()) {
  return Scratch(space::OfaFmnistSpace{}, images(48, 1), images(32, 2), options, std::move(cache));
}

TEST(ScratchAccuracy, TrainsOnceThenAnswersFromTheCache) {
  const space::OfaFmnistSpace space;
  auto estimator = scratch(std::make_shared<ScratchCache>());
  const auto first = estimator.estimate(space.smallest());
  EXPECT_GE(first.value, 0.0);
  EXPECT_LE(first.value, 1.0);
  EXPECT_GT(first.cost.seconds, 0.0);
  EXPECT_EQ(first.cost.backward_passes, 3);  // 48 images in batches of 16
  EXPECT_EQ(first.cost.images, 48 + 32);

  const auto again = estimator.estimate(space.smallest());
  EXPECT_EQ(again.value, first.value);
  EXPECT_EQ(again.cost, estimate::EstimateCost{});
  EXPECT_EQ(estimator.cache().size(), 1U);
}

TEST(ScratchAccuracy, IsDeterministicForASeed) {
  const space::OfaFmnistSpace space;
  auto a = scratch(std::make_shared<ScratchCache>());
  auto b = scratch(std::make_shared<ScratchCache>());
  EXPECT_EQ(a.estimate(space.smallest()).value, b.estimate(space.smallest()).value);
}

TEST(ScratchAccuracy, KeysChangeWithEverythingTheResultDependsOn) {
  const auto options = budget();
  const auto key = scratch_cache_key("ofa-fmnist", "r20|k3e3", options, "a/b");
  EXPECT_NE(key, scratch_cache_key("ofa-fmnist", "r24|k3e3", options, "a/b"));
  EXPECT_NE(key, scratch_cache_key("ofa-fmnist", "r20|k3e3", TrainOptions(options).epochs(2), "a/b"));
  EXPECT_NE(key, scratch_cache_key("ofa-fmnist", "r20|k3e3", TrainOptions(options).seed(4), "a/b"));
  EXPECT_NE(key, scratch_cache_key("ofa-fmnist", "r20|k3e3", options, "a/c"));
  EXPECT_NE(key, scratch_cache_key("proxyless", "r20|k3e3", options, "a/b"));
  // Threads change rounding, not the experiment.
  EXPECT_EQ(key, scratch_cache_key("ofa-fmnist", "r20|k3e3", TrainOptions(options).threads(1), "a/b"));

  EXPECT_EQ(data_fingerprint(*images(48, 1)), data_fingerprint(*images(48, 1)));
  EXPECT_NE(data_fingerprint(*images(48, 1)), data_fingerprint(*images(48, 2)));
  EXPECT_NE(data_fingerprint(*images(48, 1)), data_fingerprint(*images(47, 1)));
}

TEST(ScratchAccuracy, ACacheFileSurvivesARestart) {
  const space::OfaFmnistSpace space;
  const fs::path path = fresh_path("scratch-cache");
  double trained = 0.0;
  {
    auto estimator = scratch(std::make_shared<ScratchCache>(path));
    trained = estimator.estimate(space.smallest()).value;
  }
  ASSERT_TRUE(fs::exists(path));
  auto reopened = std::make_shared<ScratchCache>(path);
  EXPECT_EQ(reopened->size(), 1U);
  auto estimator = scratch(reopened);
  const auto cached = estimator.estimate(space.smallest());
  EXPECT_EQ(cached.value, trained);
  EXPECT_EQ(cached.cost.seconds, 0.0);

  // Other options are another experiment: a miss, trained and added.
  auto longer = scratch(reopened, budget().epochs(2));
  EXPECT_GT(longer.estimate(space.smallest()).cost.seconds, 0.0);
  EXPECT_EQ(ScratchCache(path).size(), 2U);
  fs::remove(path);
}

TEST(ScratchAccuracy, AStepBudgetTakesExactlyThatManySteps) {
  const space::OfaFmnistSpace space;
  const auto options = step_budget(budget(), 2, 48);
  EXPECT_EQ(options.epochs(), 1);
  EXPECT_EQ(options.train_subset(), 32);
  auto estimator = scratch(std::make_shared<ScratchCache>(), options);
  EXPECT_EQ(estimator.estimate(space.smallest()).cost.backward_passes, 2);
  testing::expect_error_containing<ConfigError>([] { (void)step_budget(budget(), 4, 48); },
                                                "4 steps of 16 images need 64 training images, but there are 48");
  testing::expect_error_containing<ConfigError>([] { (void)step_budget(budget(), 0, 48); }, "at least 1 step");
}

TEST(ScratchAccuracy, ADivergedTrainingIsNaN) {
  const space::OfaFmnistSpace space;
  auto estimator = scratch(std::make_shared<ScratchCache>(), budget().lr(1e30));
  EXPECT_TRUE(std::isnan(estimator.estimate(space.smallest()).value));
}

TEST(ScratchAccuracy, BadInputIsAClearError) {
  const fs::path path = fresh_path("corrupt-cache");
  write_file_atomically(path, "{\"key\": \"k\", \"space\": \"s\"\n");
  testing::expect_error_containing<DataError>([&] { (void)ScratchCache{path}; }, "line 1");
  fs::remove(path);
  testing::expect_error_containing<ConfigError>(
      [] { (void)scratch(std::make_shared<ScratchCache>(), budget().epochs(0)); }, "epochs");
  testing::expect_error_containing<ConfigError>(
      [] { (void)Scratch(space::OfaFmnistSpace{}, images(8, 1), nullptr, budget()); }, "validation images");
}

}  // namespace
}  // namespace hwnas::train
