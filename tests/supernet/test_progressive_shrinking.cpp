// Progressive shrinking's loop on a small stand-in supernet: the loss falls,
// every phase samples its subnets and steps, width phases sort channels
// first, distillation changes only the phases that distil, and a run stopped
// and resumed from its checkpoint ends with exactly the weights of an
// uninterrupted run.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/io.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/supernet/progressive_shrinking.hpp"
#include "support/expect.hpp"
#include "supernet/fake_supernet.hpp"

namespace hwnas::supernet {
namespace {

data::LabelledImages images() {
  return data::make_synthetic(data::SyntheticSpec{}.samples(96).channels(1).height(8).width(8).classes(3).seed(2));
}

Recipe small_recipe(double kd_ratio = 1.0) {
  Recipe r;
  r.batch_size = 16;
  r.resolutions = {20, 28};
  r.kd_ratio = kd_ratio;
  r.seed = 4;
  r.phases = {{"full", {7}, {6}, {4}, 3.0, 0.2, 0.0, 1, false},
              {"kernel", {3, 5, 7}, {6}, {4}, 1.0, 0.05, 0.0, 1, true},
              {"expand-1", {3, 5, 7}, {4, 6}, {2, 3, 4}, 0.5, 0.02, 0.0, 2, true},
              {"expand-2", {3, 5, 7}, {3, 4, 6}, {2, 3, 4}, 0.5, 0.02, 0.0, 2, true}};
  return r;
}

struct Outcome {
  std::shared_ptr<FakeSupernet> supernet = std::make_shared<FakeSupernet>();
  std::vector<ShrinkingProgress> steps;
};

Outcome run_whole(const Recipe& recipe) {
  Outcome run;
  ProgressiveShrinking ps(run.supernet, recipe);
  EXPECT_TRUE(ps.run(images(), [&](const ShrinkingProgress& p) {
    run.steps.push_back(p);
    return true;
  }));
  EXPECT_TRUE(ps.done());
  return run;
}

TEST(ProgressiveShrinking, RunsEveryPhaseWithItsSubnetsAndSchedule) {
  const Outcome run = run_whole(small_recipe());
  // 96 images in batches of 16: 6 steps per epoch.
  ASSERT_EQ(run.steps.size(), 18U + 6U + 3U + 3U);
  EXPECT_EQ(run.supernet->activations, 18 + 6 + 3 * 2 + 3 * 2) << "subnets_per_step per step";
  EXPECT_EQ(run.supernet->reorganized, (std::vector<std::int64_t>{0, 1})) << "before each width phase";
  EXPECT_EQ(run.steps[17].phase_name, "full");
  EXPECT_EQ(run.steps[17].step, 18);
  EXPECT_EQ(run.steps[18].phase, 1U);
  EXPECT_NEAR(run.steps[0].lr, 0.2, 1e-12) << "no warm-up: the peak first";
  EXPECT_LT(run.steps[17].lr, 0.01) << "cosine to about 0";
}

TEST(ProgressiveShrinking, TheFullNetworkLearns) {
  auto recipe = small_recipe();
  recipe.phases.resize(1);
  recipe.phases[0].epochs = 15.0;
  recipe.phases[0].lr = 0.5;
  const Outcome run = run_whole(recipe);
  ASSERT_EQ(run.steps.size(), 90U);
  double first = 0.0;
  double last = 0.0;
  for (std::size_t i = 0; i < 6; ++i) {
    first += run.steps[i].loss;
    last += run.steps[84 + i].loss;
  }
  EXPECT_LT(last, first * 0.8) << "first epoch " << first / 6 << ", last " << last / 6;
}

TEST(ProgressiveShrinking, DistillationChangesOnlyThePhasesThatDistil) {
  const Outcome with = run_whole(small_recipe(1.0));
  const Outcome without = run_whole(small_recipe(0.0));
  for (std::size_t i = 0; i < 18; ++i) EXPECT_EQ(with.steps[i].loss, without.steps[i].loss);
  EXPECT_NE(with.steps[18].loss, without.steps[18].loss);
  EXPECT_GT(with.steps[18].loss, without.steps[18].loss) << "a KL term is never negative";
}

TEST(ProgressiveShrinking, ResumesFromItsCheckpointToTheSameWeights) {
  const Outcome whole = run_whole(small_recipe());
  const auto path = std::filesystem::path(::testing::TempDir()) / "hwnas-ps.ckpt";
  for (const std::int64_t stop_after : {7, 18, 22}) {  // mid-phase, at a phase end, in a two-subnet phase
    SCOPED_TRACE(stop_after);
    std::filesystem::remove(path);
    {
      auto supernet = std::make_shared<FakeSupernet>();
      ProgressiveShrinking ps(supernet, small_recipe());
      std::int64_t done = 0;
      EXPECT_FALSE(ps.run(images(), [&](const ShrinkingProgress&) { return ++done < stop_after; }, path, 4));
    }
    auto supernet = std::make_shared<FakeSupernet>();
    ProgressiveShrinking resumed(supernet, small_recipe());
    resumed.load_checkpoint(path);
    EXPECT_TRUE(resumed.run(images(), {}, path));
    EXPECT_EQ(nn::state_to_string(*supernet), nn::state_to_string(*whole.supernet));
  }
  ProgressiveShrinking other(std::make_shared<FakeSupernet>(), small_recipe(0.5));
  testing::expect_error_containing<IoError>([&] { other.load_checkpoint(path); }, "another recipe");
  write_file_atomically(path, "not a checkpoint");
  testing::expect_error_containing<IoError>([&] { other.load_checkpoint(path); }, "hwnas-ps.ckpt");
}

TEST(ProgressiveShrinking, RefusesTooFewImagesAndATeacherlessFirstPhase) {
  auto recipe = small_recipe();
  recipe.batch_size = 200;
  ProgressiveShrinking ps(std::make_shared<FakeSupernet>(), recipe);
  testing::expect_error_containing<ConfigError>([&] { (void)ps.run(images()); }, "needs at least one batch of 200");
  auto distilling = small_recipe();
  distilling.phases[0].distill = true;
  testing::expect_error_containing<ConfigError>(
      [&] { ProgressiveShrinking(std::make_shared<FakeSupernet>(), distilling); }, "does not distil");
}

}  // namespace
}  // namespace hwnas::supernet
