// The trainer: it learns, it is deterministic, it resumes from checkpoints
// bit for bit, its callbacks stop and record runs, and bad input is a clear error.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/train.hpp"
#include "support/expect.hpp"

namespace hwnas::train {
namespace {

namespace fs = std::filesystem;

const data::LabelledImages& dataset() {
  static const auto set = data::make_synthetic(data::SyntheticSpec{}.samples(320).classes(4).seed(3));
  return set;
}

const data::LabelledImages& validation_set() {
  static const auto set = data::make_synthetic(data::SyntheticSpec{}.samples(80).classes(4).seed(4));
  return set;
}

/// 8x8 -> 4 classes, with batch norm and dropout so that their state and
/// masks are part of what resuming must reproduce.
std::shared_ptr<nn::Sequential> tiny_net(std::uint64_t seed) {
  auto net = std::make_shared<nn::Sequential>();
  net->emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 6, 3}.stride(2).padding(1).bias(false));
  net->emplace_back<nn::BatchNorm2d>(6);
  net->emplace_back<nn::ReLU>();
  net->emplace_back<nn::GlobalAvgPool2d>();
  net->emplace_back<nn::Flatten>();
  net->emplace_back<nn::Dropout>(0.2);
  net->emplace_back<nn::Linear>(6, 4);
  Rng rng(seed);
  nn::init::default_init(*net, rng);
  return net;
}

TrainOptions options() {
  return TrainOptions{}.epochs(3).batch_size(32).lr(0.2).seed(11).threads(2).random_crop_padding(1);
}

/// Every parameter and buffer, in order, for bitwise comparison.
std::string weights(const nn::Module& net) { return nn::state_to_string(net); }

fs::path temp_path(const std::string& name) {
  return fs::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()));
}

/// Stops the run once it has done `step` steps.
struct StopAt {
  std::int64_t step;
  bool on_step_end(const Trainer& /*trainer*/, const StepMetrics& m) const { return m.step == step; }
};

TEST(Trainer, LearnsASmallProblem) {
  auto net = tiny_net(1);
  Trainer trainer(net, options().epochs(6));
  const Evaluation before = trainer.evaluate(validation_set());
  const TrainResult result = trainer.fit(dataset(), &validation_set());
  EXPECT_EQ(result.status, TrainStatus::completed);
  ASSERT_EQ(result.history.size(), 6U);
  EXPECT_EQ(result.steps, 6 * 10);
  // Dropout and label smoothing keep the training loss well above 0.
  EXPECT_LT(result.history.back().train_loss, 0.7 * result.history.front().train_loss);
  EXPECT_GT(result.history.back().validation->accuracy, 0.9);  // chance is 0.25
  EXPECT_GT(result.history.back().validation->accuracy, before.accuracy + 0.3);
  EXPECT_EQ(trainer.evaluate(validation_set()), *result.history.back().validation);
}

TEST(Trainer, SameSeedSameThreadsSameResult) {
  auto a = tiny_net(1);
  auto b = tiny_net(1);
  const auto ra = Trainer(a, options()).fit(dataset(), &validation_set());
  const auto rb = Trainer(b, options()).fit(dataset(), &validation_set());
  EXPECT_EQ(weights(*a), weights(*b));
  for (std::size_t e = 0; e < ra.history.size(); ++e) {
    EXPECT_EQ(ra.history[e].train_loss, rb.history[e].train_loss);
    EXPECT_EQ(ra.history[e].validation, rb.history[e].validation);
  }
  auto c = tiny_net(1);
  (void)Trainer(c, options().seed(12)).fit(dataset(), &validation_set());
  EXPECT_NE(weights(*a), weights(*c));
}

TEST(Trainer, ResumesFromAMidEpochCheckpointBitForBit) {
  auto uninterrupted = tiny_net(1);
  const auto full = Trainer(uninterrupted, options()).fit(dataset(), &validation_set());

  const fs::path path = temp_path("resume.state");
  auto first = tiny_net(1);
  const auto partial = Trainer(first, options()).fit(dataset(), &validation_set(), Checkpointing(path, 4), StopAt{14});
  EXPECT_EQ(partial.status, TrainStatus::stopped);
  EXPECT_EQ(partial.steps, 14);

  // A fresh process would build the network anew: different initial weights
  // must not matter once the checkpoint is loaded.
  auto resumed = tiny_net(99);
  Trainer trainer(resumed, options());
  trainer.load_checkpoint(path);
  EXPECT_EQ(trainer.step(), 14);
  EXPECT_EQ(trainer.history().size(), 1U);
  const auto rest = trainer.fit(dataset(), &validation_set());
  EXPECT_EQ(rest.status, TrainStatus::completed);
  EXPECT_EQ(weights(*resumed), weights(*uninterrupted));
  ASSERT_EQ(rest.history.size(), full.history.size());
  for (std::size_t e = 0; e < full.history.size(); ++e) {
    EXPECT_EQ(rest.history[e].train_loss, full.history[e].train_loss) << "epoch " << e;
    EXPECT_EQ(rest.history[e].train_accuracy, full.history[e].train_accuracy) << "epoch " << e;
    EXPECT_EQ(rest.history[e].validation, full.history[e].validation) << "epoch " << e;
  }
  fs::remove(path);
}

TEST(Trainer, CheckpointOfOtherOptionsIsRefusedNamingTheField) {
  auto net = tiny_net(1);
  Trainer trainer(net, options().epochs(1));
  (void)trainer.fit(dataset(), nullptr);
  const std::string checkpoint = trainer.checkpoint_to_string();

  Trainer other(tiny_net(1), options().epochs(1).lr(0.3));
  testing::expect_error_containing<ConfigError>([&] { other.load_checkpoint_from_string(checkpoint, "ck"); },
                                                "lr 0.2 vs 0.3");
  Trainer more_threads(tiny_net(1), options().epochs(1).threads(1));
  more_threads.load_checkpoint_from_string(checkpoint, "ck");
  EXPECT_EQ(more_threads.step(), 10);
}

TEST(Trainer, CheckpointOfAnotherNetworkLeavesEverythingUnchanged) {
  auto net = tiny_net(1);
  Trainer trainer(net, options().epochs(1));
  (void)trainer.fit(dataset(), nullptr);
  const std::string checkpoint = trainer.checkpoint_to_string();

  auto wider = std::make_shared<nn::Sequential>();
  wider->emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 8, 3}.bias(false));
  wider->emplace_back<nn::GlobalAvgPool2d>();
  wider->emplace_back<nn::Flatten>();
  wider->emplace_back<nn::Linear>(8, 4);
  Trainer other(wider, options().epochs(1));
  const std::string before = weights(*wider);
  testing::expect_error_containing<IoError>([&] { other.load_checkpoint_from_string(checkpoint, "ck"); }, "'ck'");
  EXPECT_EQ(weights(*wider), before);
  EXPECT_EQ(other.step(), 0);
}

TEST(Trainer, CorruptOrForeignCheckpointsAreIoErrors) {
  Trainer trainer(tiny_net(1), options());
  testing::expect_error_containing<IoError>([&] { trainer.load_checkpoint_from_string("garbage", "bad.state"); },
                                            "bad.state");
  const std::string plain_state = weights(*tiny_net(1));
  testing::expect_error_containing<IoError>([&] { trainer.load_checkpoint_from_string(plain_state, "net.state"); },
                                            "not a training checkpoint");
  testing::expect_error_containing<IoError>([&] { trainer.load_checkpoint("/nonexistent/ck.state"); },
                                            "/nonexistent/ck.state");
}

TEST(Trainer, DivergenceIsAResultNotACrash) {
  auto net = tiny_net(1);
  Trainer trainer(net, options().optimizer(OptimizerKind::sgd).lr(1e30).schedule(ScheduleKind::constant));
  const auto result = trainer.fit(dataset(), nullptr);
  EXPECT_EQ(result.status, TrainStatus::diverged);
  EXPECT_LT(result.steps, trainer.total_steps());
}

TEST(Trainer, EveryOptimizerAndScheduleTrains) {
  for (const auto optimizer : {OptimizerKind::sgd, OptimizerKind::adam, OptimizerKind::adamw}) {
    for (const auto schedule : {ScheduleKind::cosine, ScheduleKind::step, ScheduleKind::constant}) {
      SCOPED_TRACE(std::string(to_string(optimizer)) + " " + std::string(to_string(schedule)));
      const double lr = optimizer == OptimizerKind::sgd ? 0.2 : 0.01;
      Trainer trainer(tiny_net(1),
                      options().optimizer(optimizer).schedule(schedule).lr(lr).lr_decay_epochs(1).lr_decay(0.5));
      const auto result = trainer.fit(dataset(), nullptr);
      EXPECT_EQ(result.status, TrainStatus::completed);
      EXPECT_LT(result.history.back().train_loss, result.history.front().train_loss);
    }
  }
}

TEST(Trainer, TrainSubsetUsesThatManyImages) {
  Trainer trainer(tiny_net(1), options().epochs(1).train_subset(96));
  std::int64_t seen_size = 0;
  struct Spy {
    std::int64_t* size;
    void on_train_begin(const Trainer& t) const { *size = t.train_size(); }
  };
  const auto result = trainer.fit(dataset(), nullptr, Spy{&seen_size});
  EXPECT_EQ(seen_size, 96);
  EXPECT_EQ(result.steps, 3);
  Trainer too_many(tiny_net(1), options().train_subset(1000));
  testing::expect_error_containing<ConfigError>([&] { (void)too_many.fit(dataset(), nullptr); },
                                                "'train_subset' is 1000, but the training set has only 320");
  Trainer big_batch(tiny_net(1), options().batch_size(512));
  testing::expect_error_containing<ConfigError>([&] { (void)big_batch.fit(dataset(), nullptr); },
                                                "larger than the 320 training images");
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping stop(2);
  Trainer trainer(tiny_net(1), options());
  const auto epoch = [](double accuracy) {
    EpochMetrics m;
    m.validation = Evaluation{0.0, accuracy, 10};
    return m;
  };
  EXPECT_FALSE(stop.on_epoch_end(trainer, epoch(0.5)));
  EXPECT_FALSE(stop.on_epoch_end(trainer, epoch(0.6)));
  EXPECT_FALSE(stop.on_epoch_end(trainer, epoch(0.6)));
  EXPECT_TRUE(stop.on_epoch_end(trainer, epoch(0.55)));
  testing::expect_error_containing<ConfigError>([&] { (void)stop.on_epoch_end(trainer, EpochMetrics{}); },
                                                "no validation set");
}

TEST(EarlyStopping, EndsARunEarly) {
  // No epoch can beat the first by more than 100%.
  Trainer trainer(tiny_net(1), options().epochs(5));
  const auto result = trainer.fit(dataset(), &validation_set(), EarlyStopping(1, 1.0));
  EXPECT_EQ(result.status, TrainStatus::stopped);
  EXPECT_EQ(result.history.size(), 2U);
}

TEST(MetricLog, WritesOneJsonLinePerEpoch) {
  const fs::path path = temp_path("metrics.jsonl");
  Trainer trainer(tiny_net(1), options().epochs(2));
  (void)trainer.fit(dataset(), &validation_set(), MetricLog(path));
  std::ifstream in(path);
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1]["epoch"], 1);
  EXPECT_TRUE(lines[1]["validation"].contains("accuracy"));
  EXPECT_EQ(lines[0].get<EpochMetrics>().train_loss, trainer.history()[0].train_loss);
  fs::remove(path);
}

TEST(ShowProgress, DrawsBarsAndEpochSummaries) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Trainer trainer(tiny_net(1), options().epochs(2));
  (void)trainer.fit(dataset(), &validation_set(), ShowProgress(out));
  std::rewind(out);
  std::string text;
  for (int c = std::fgetc(out); c != EOF; c = std::fgetc(out)) text.push_back(static_cast<char>(c));
  std::fclose(out);
  EXPECT_NE(text.find("epoch 1/2 ["), std::string::npos) << text;
  EXPECT_NE(text.find("img/s"), std::string::npos) << text;
  EXPECT_NE(text.find("ETA"), std::string::npos) << text;
  EXPECT_NE(text.find("epoch 2/2  loss"), std::string::npos) << text;
  EXPECT_NE(text.find("val_acc"), std::string::npos) << text;
}

TEST(TrainOptions, JsonRoundTripAndErrorsNameTheField) {
  const TrainOptions o = options().optimizer(OptimizerKind::adamw).schedule(ScheduleKind::step).nesterov(false);
  const nlohmann::json j = o;
  EXPECT_EQ(j["optimizer"], "adamw");
  EXPECT_EQ(j.get<TrainOptions>(), o);
  EXPECT_EQ(nlohmann::json::parse(R"({"epochs": 4})").get<TrainOptions>(), TrainOptions{}.epochs(4));
  testing::expect_error_containing<ConfigError>(
      [] { (void)nlohmann::json::parse(R"({"epoch": 4})").get<TrainOptions>(); }, "unknown training option 'epoch'");
  testing::expect_error_containing<ConfigError>(
      [] { (void)nlohmann::json::parse(R"({"epochs": "4"})").get<TrainOptions>(); }, "'epochs' must be an integer");
  testing::expect_error_containing<ConfigError>(
      [] { (void)nlohmann::json::parse(R"({"optimizer": "lamb"})").get<TrainOptions>(); },
      "unknown optimizer 'lamb'; allowed: sgd, adam, adamw");
  testing::expect_error_containing<ConfigError>(
      [] { (void)nlohmann::json::parse(R"({"label_smoothing": 1.5})").get<TrainOptions>(); },
      "'label_smoothing' must be in [0, 1), got 1.5");
  testing::expect_error_containing<ConfigError>([] { Trainer(tiny_net(1), TrainOptions{}.epochs(0)); },
                                                "'epochs' must be >= 1, got 0");
}

TEST(ProgressBar, FormatsDurations) {
  EXPECT_EQ(ProgressBar::format_duration(0.4), "0:00");
  EXPECT_EQ(ProgressBar::format_duration(83), "1:23");
  EXPECT_EQ(ProgressBar::format_duration(3723), "1:02:03");
}

}  // namespace
}  // namespace hwnas::train
