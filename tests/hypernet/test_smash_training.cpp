// Training the SMASH hypernetwork briefly on synthetic 28 x 28 images: the
// loss of architectures with generated weights goes down, runs are
// deterministic, and a run resumed from its checkpoint ends where an
// uninterrupted one does.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "hwnas/core/io.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/hypernet.hpp"
#include "hwnas/nn/init.hpp"
#include "support/expect.hpp"

namespace hwnas::hypernet {
namespace {

using Arch = space::OfaFmnistArch;

std::shared_ptr<SmashHypernet> initialised(std::uint64_t seed) {
  auto hypernet = std::make_shared<SmashHypernet>(SmashHypernetOptions{}.hidden(8));
  Rng rng(seed);
  nn::init::default_init(*hypernet, rng);
  return hypernet;
}

data::LabelledImages images(std::int64_t samples) {
  return data::make_synthetic(
      data::SyntheticSpec{}.samples(samples).channels(1).height(28).width(28).classes(3).seed(11));
}

/// Mean cross entropy of `archs` with generated weights on `data`, batch
/// norms on the batch's statistics (a fresh hypernetwork has no others).
double mean_loss(SmashHypernet& hypernet, const std::vector<Arch>& archs, const data::LabelledImages& data) {
  const NoGradGuard no_grad;
  hypernet.train(true);
  double sum = 0.0;
  for (const Arch& arch : archs) {
    hypernet.generate(arch);
    sum += cross_entropy(hypernet(Variable(data.images)), data.labels).item();
  }
  return sum / static_cast<double>(archs.size());
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::path(::testing::TempDir()) / ("hwnas_smash_training_" + name);
}

TEST(SmashTraining, ReducesTheLossOfArchitecturesWithGeneratedWeights) {
  const auto data = images(32);
  const auto hypernet = initialised(1);
  Rng rng(2);
  std::vector<Arch> archs;
  for (int i = 0; i < 3; ++i) archs.push_back(space::OfaFmnistSpace{}.sample(rng));
  const double before = mean_loss(*hypernet, archs, data);

  SmashTrainer trainer(hypernet, SmashTrainOptions{}.epochs(6).batch_size(8).lr(0.05).seed(3));
  EXPECT_EQ(trainer.total_steps(32), 24);
  std::int64_t steps = 0;
  EXPECT_EQ(trainer.run(data,
                        [&](const SmashProgress& p) {
                          EXPECT_EQ(p.step, ++steps);
                          EXPECT_EQ(p.steps, 24);
                          EXPECT_EQ(p.epoch, (p.step - 1) / 4);
                          EXPECT_TRUE(std::isfinite(p.loss));
                          return true;
                        }),
            train::TrainStatus::completed);
  EXPECT_EQ(steps, 24);
  EXPECT_EQ(trainer.step(), 24);
  const double after = mean_loss(*hypernet, archs, data);
  EXPECT_LT(after, before - 0.1) << "before " << before << ", after " << after;
}

TEST(SmashTraining, IsDeterministicAndResumesFromItsCheckpoint) {
  const auto data = images(20);
  const auto options = SmashTrainOptions{}.epochs(2).batch_size(4).train_subset(12).seed(5);
  const auto whole = initialised(4);
  SmashTrainer(whole, options).run(data);

  const auto path = temp_path("resume.ckpt");
  const auto first = initialised(4);
  SmashTrainer interrupted(first, options);
  EXPECT_EQ(interrupted.run(
                data, [](const SmashProgress& p) { return p.step < 2; }, path),
            train::TrainStatus::stopped);
  EXPECT_EQ(interrupted.step(), 2);

  const auto resumed = initialised(99);  // every weight comes from the checkpoint
  SmashTrainer continued(resumed, options);
  continued.load_checkpoint(path);
  EXPECT_EQ(continued.step(), 2);
  EXPECT_EQ(continued.run(data), train::TrainStatus::completed);
  EXPECT_EQ(continued.step(), 6);
  EXPECT_TRUE(resumed->state_to_string() == whole->state_to_string());

  const auto again = initialised(4);
  SmashTrainer(again, options).run(data);
  EXPECT_TRUE(again->state_to_string() == whole->state_to_string());
  std::filesystem::remove(path);
}

TEST(SmashTraining, RefusesCheckpointsOfOtherRuns) {
  const auto data = images(8);
  const auto path = temp_path("other.ckpt");
  const auto hypernet = initialised(6);
  SmashTrainer(hypernet, SmashTrainOptions{}.batch_size(4).seed(1)).run(data, {}, path);
  SmashTrainer other_seed(initialised(6), SmashTrainOptions{}.batch_size(4).seed(2));
  testing::expect_error_containing<IoError>([&] { other_seed.load_checkpoint(path); }, "other training options");

  auto wider = std::make_shared<SmashHypernet>(SmashHypernetOptions{}.hidden(9));
  SmashTrainer other_width(wider, SmashTrainOptions{}.batch_size(4).seed(1));
  testing::expect_error_containing<IoError>([&] { other_width.load_checkpoint(path); }, "\"hidden\":8");

  hypernet->save(path);
  SmashTrainer trainer(initialised(6), SmashTrainOptions{}.batch_size(4).seed(1));
  testing::expect_error_containing<IoError>([&] { trainer.load_checkpoint(path); }, "not a SMASH training checkpoint");
  std::filesystem::remove(path);
}

TEST(SmashTraining, DivergenceEndsTheRunWithoutAStep) {
  const auto data = images(8);
  SmashTrainer trainer(initialised(7), SmashTrainOptions{}.epochs(4).batch_size(4).lr(1e30).seed(1));
  EXPECT_EQ(trainer.run(data), train::TrainStatus::diverged);
  EXPECT_LT(trainer.step(), 8);
}

TEST(SmashTraining, RejectsInvalidOptionsAndTooFewImages) {
  const auto hypernet = initialised(8);
  testing::expect_error_containing<ConfigError>([&] { SmashTrainer(hypernet, SmashTrainOptions{}.batch_size(1)); },
                                                "batch_size");
  testing::expect_error_containing<ConfigError>(
      [&] { SmashTrainer(hypernet, SmashTrainOptions{}.label_smoothing(2.0)); }, "label_smoothing");
  testing::expect_error_containing<ConfigError>([&] { SmashTrainer(nullptr, SmashTrainOptions{}); }, "hypernetwork");
  SmashTrainer trainer(hypernet, SmashTrainOptions{}.batch_size(16));
  testing::expect_error_containing<ConfigError>([&] { trainer.run(images(8)); }, "at least one batch of 16");
}

}  // namespace
}  // namespace hwnas::hypernet
