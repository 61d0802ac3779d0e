#include "hwnas/train/trainer.hpp"

#include <algorithm>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/data/transforms.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/optim/adam.hpp"
#include "hwnas/optim/schedule.hpp"
#include "hwnas/optim/sgd.hpp"

namespace hwnas::train {
namespace {

/// Written into every checkpoint's metadata, checked when loading.
constexpr std::string_view checkpoint_format = "hwnas-train-checkpoint";

/// Independent random streams derived from the run's seed.
enum class Stream : std::uint64_t { subset = 1, dropout = 2 };

std::unique_ptr<optim::Optimizer> make_optimizer(const nn::Module& network, const TrainOptions& o) {
  auto parameters = network.named_parameters();
  switch (o.optimizer()) {
    case OptimizerKind::sgd:
      return std::make_unique<optim::SGD>(std::move(parameters), optim::SGDOptions(o.lr())
                                                                     .momentum(o.momentum())
                                                                     .nesterov(o.nesterov() && o.momentum() > 0.0)
                                                                     .weight_decay(o.weight_decay())
                                                                     .decay_norm_and_bias(o.decay_norm_and_bias()));
    case OptimizerKind::adam:
    case OptimizerKind::adamw: {
      const auto options =
          optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()).decay_norm_and_bias(o.decay_norm_and_bias());
      if (o.optimizer() == OptimizerKind::adam) return std::make_unique<optim::Adam>(std::move(parameters), options);
      return std::make_unique<optim::AdamW>(std::move(parameters), options);
    }
  }
  throw ConfigError("unknown optimizer kind");
}

std::function<double(std::int64_t)> make_schedule(const TrainOptions& o, std::int64_t steps_per_epoch) {
  switch (o.schedule()) {
    case ScheduleKind::cosine:
      return [s = optim::CosineSchedule::from_epochs(o.lr(), o.epochs(), steps_per_epoch, o.warmup_epochs())](
                 std::int64_t step) { return s.lr(step); };
    case ScheduleKind::step:
      return [s = optim::StepDecaySchedule(o.lr(), o.lr_decay(), o.lr_decay_epochs(), steps_per_epoch)](
                 std::int64_t step) { return s.lr(step); };
    case ScheduleKind::constant:
      return [s = optim::ConstantSchedule(o.lr())](std::int64_t step) { return s.lr(step); };
  }
  throw ConfigError("unknown schedule kind");
}

data::BatchTransform make_augmentation(const TrainOptions& o) {
  if (o.random_crop_padding() == 0 && !o.horizontal_flip()) return {};
  return [padding = o.random_crop_padding(), flip = o.horizontal_flip()](Tensor& images, Rng& rng) {
    if (padding > 0) data::random_crop(images, padding, rng);
    if (flip) data::random_horizontal_flip(images, rng);
  };
}

/// The fields in which two option sets differ, ignoring the thread count.
std::vector<std::string> differing_fields(const TrainOptions& a, const TrainOptions& b) {
  const nlohmann::json ja = a;
  const nlohmann::json jb = b;
  std::vector<std::string> fields;
  for (const auto& [key, value] : ja.items())
    if (key != "threads" && jb.at(key) != value)
      fields.push_back(fmt::format("{} {} vs {}", key, value.dump(), jb.at(key).dump()));
  return fields;
}

}  // namespace

/// What one call of `fit` needs besides the trainer's persistent state.
struct Trainer::Run {
  data::LabelledImages subset;
  const data::LabelledImages* data = nullptr;
  std::unique_ptr<data::DataLoader> loader;
  std::function<double(std::int64_t)> lr;
  Clock::time_point epoch_start;
  std::int64_t epoch_images = 0;
};

Trainer::Trainer(std::shared_ptr<nn::Module> network, TrainOptions options)
    : network_(std::move(network)), options_(options) {
  HWNAS_CHECK_CONFIG(network_ != nullptr, "Trainer: the network is null");
  options_.validate();
  optimizer_ = make_optimizer(*network_, options_);
  for (const auto& m : network_->named_modules())
    if (auto* dropout = dynamic_cast<nn::Dropout*>(m.module.get())) dropouts_.push_back(dropout);
}

Trainer::~Trainer() = default;

std::int64_t Trainer::train_size() const { return run_ ? static_cast<std::int64_t>(run_->data->labels.size()) : 0; }

void Trainer::begin_run(const data::LabelledImages& train) {
  auto run = std::make_unique<Run>();
  run->data = &train;
  const auto available = static_cast<std::int64_t>(train.labels.size());
  if (options_.train_subset() > 0) {
    HWNAS_CHECK_CONFIG(options_.train_subset() <= available,
                       "training option 'train_subset' is {}, but the training set has only {} images",
                       options_.train_subset(), available);
    Rng rng(derive_seed(options_.seed(), static_cast<std::uint64_t>(Stream::subset)));
    auto order = data::random_permutation(available, rng);
    order.resize(static_cast<std::size_t>(options_.train_subset()));
    run->subset = data::subset(train, order);
    run->data = &run->subset;
  }
  run->loader = std::make_unique<data::DataLoader>(
      *run->data,
      data::LoaderOptions{}.batch_size(options_.batch_size()).shuffle(true).drop_last(true).seed(options_.seed()),
      make_augmentation(options_));
  const std::int64_t steps = run->loader->size();
  HWNAS_CHECK_CONFIG(steps > 0, "training option 'batch_size' is {}, larger than the {} training images",
                     options_.batch_size(), run->loader->num_samples());
  HWNAS_CHECK_CONFIG(steps_per_epoch_ == 0 || steps_per_epoch_ == steps,
                     "the checkpoint was made with {} steps per epoch, but this training set gives {}: "
                     "resume with the same training data",
                     steps_per_epoch_, steps);
  steps_per_epoch_ = steps;
  run->lr = make_schedule(options_, steps);
  run->epoch_start = Clock::now();
  run_ = std::move(run);
}

void Trainer::end_run() { run_.reset(); }

StepMetrics Trainer::train_step() {
  const std::int64_t epoch = step_ / steps_per_epoch_;
  const std::int64_t index = step_ % steps_per_epoch_;
  if (run_->loader->epoch() != epoch) run_->loader->set_epoch(epoch);
  const data::Batch batch = run_->loader->batch(index);

  const double lr = run_->lr(step_);
  optimizer_->set_lr(lr);
  optimizer_->zero_grad();
  const std::uint64_t dropout_seed = derive_seed(options_.seed(), static_cast<std::uint64_t>(Stream::dropout));
  for (std::size_t i = 0; i < dropouts_.size(); ++i)
    dropouts_[i]->reseed(derive_seed(derive_seed(dropout_seed, static_cast<std::uint64_t>(step_)), i));

  const Variable logits = (*network_)(Variable(batch.images));
  Variable loss = cross_entropy(logits, batch.labels, options_.label_smoothing());
  const double loss_value = loss.item();
  const auto n = static_cast<std::int64_t>(batch.labels.size());
  const std::int64_t correct = count_correct(logits.value(), batch.labels);
  if (!std::isfinite(loss_value)) return {step_, epoch, index, loss_value, 0.0, lr};

  loss.backward();
  optimizer_->step();
  ++step_;
  tally_.loss_sum += loss_value;
  tally_.correct += correct;
  tally_.samples += n;
  ++tally_.batches;
  run_->epoch_images += n;
  return {step_, epoch, index, loss_value, static_cast<double>(correct) / static_cast<double>(n), lr};
}

std::optional<EpochMetrics> Trainer::end_epoch_if_complete(const data::LabelledImages* validation) {
  if (step_ % steps_per_epoch_ != 0) return std::nullopt;
  const double seconds = std::chrono::duration<double>(Clock::now() - run_->epoch_start).count();
  EpochMetrics m;
  m.epoch = step_ / steps_per_epoch_ - 1;
  m.train_loss = tally_.loss_sum / static_cast<double>(tally_.batches);
  m.train_accuracy = static_cast<double>(tally_.correct) / static_cast<double>(tally_.samples);
  m.lr = optimizer_->lr();
  m.seconds = seconds;
  m.images_per_second = seconds > 0.0 ? static_cast<double>(run_->epoch_images) / seconds : 0.0;
  if (validation != nullptr) m.validation = train::evaluate(*network_, *validation, options_.eval_batch_size());
  history_.push_back(m);
  tally_ = {};
  run_->epoch_images = 0;
  run_->epoch_start = Clock::now();
  return m;
}

Evaluation Trainer::evaluate(const data::LabelledImages& data) const {
  std::optional<ThreadCountGuard> threads;
  if (options_.threads() > 0) threads.emplace(options_.threads());
  return train::evaluate(*network_, data, options_.eval_batch_size());
}

std::string Trainer::checkpoint_to_string() const {
  nn::StateWriter writer;
  nn::write_state(writer, *network_, "model/");
  const nlohmann::json optimizer = optimizer_->write_state(writer, "optimizer/");
  return writer.finish({{"format", checkpoint_format},
                        {"options", options_},
                        {"step", step_},
                        {"steps_per_epoch", steps_per_epoch_},
                        {"epoch_tally",
                         {{"loss_sum", tally_.loss_sum},
                          {"correct", tally_.correct},
                          {"samples", tally_.samples},
                          {"batches", tally_.batches}}},
                        {"history", history_},
                        {"optimizer", optimizer}});
}

void Trainer::save_checkpoint(const std::filesystem::path& path) const {
  write_file_atomically(path, checkpoint_to_string());
}

void Trainer::load_checkpoint_from_string(std::string bytes, const std::string& origin) {
  const nn::StateReader reader(std::move(bytes), origin);
  const nlohmann::json& meta = reader.metadata();
  const auto fail = [&](const std::string& what) {
    throw IoError(fmt::format("cannot load training checkpoint '{}': {}", origin, what));
  };
  if (!meta.contains("format") || meta["format"] != checkpoint_format)
    fail(fmt::format("it is not a training checkpoint (format '{}' expected)", checkpoint_format));

  std::int64_t step = 0;
  std::int64_t steps_per_epoch = 0;
  EpochTally tally;
  std::vector<EpochMetrics> history;
  TrainOptions saved;
  try {
    saved = meta.at("options").get<TrainOptions>();
    step = meta.at("step").get<std::int64_t>();
    steps_per_epoch = meta.at("steps_per_epoch").get<std::int64_t>();
    const auto& t = meta.at("epoch_tally");
    tally = {t.at("loss_sum").get<double>(), t.at("correct").get<std::int64_t>(), t.at("samples").get<std::int64_t>(),
             t.at("batches").get<std::int64_t>()};
    history = meta.at("history").get<std::vector<EpochMetrics>>();
  } catch (const nlohmann::json::exception& e) {
    fail(fmt::format("malformed metadata: {}", e.what()));
  } catch (const ConfigError& e) {
    fail(fmt::format("malformed options: {}", e.what()));
  }
  if (step < 0 || steps_per_epoch < 0 || (step > 0 && steps_per_epoch == 0)) fail("inconsistent step counts");
  const auto differences = differing_fields(saved, options_);
  HWNAS_CHECK_CONFIG(differences.empty(),
                     "training checkpoint '{}' was made with other options (checkpoint vs now): {}", origin,
                     fmt::join(differences, ", "));

  // Model and optimizer each load all-or-nothing; keep the model's state so a
  // failure in the optimizer's part leaves both as they were.
  const std::string model_before = nn::state_to_string(*network_);
  nn::read_state(reader, *network_, "model/");
  try {
    optimizer_->read_state(reader, meta.contains("optimizer") ? meta["optimizer"] : nlohmann::json{}, "optimizer/");
  } catch (...) {
    nn::load_state_from_string(*network_, model_before);
    throw;
  }
  step_ = step;
  steps_per_epoch_ = steps_per_epoch;
  tally_ = tally;
  history_ = std::move(history);
}

void Trainer::load_checkpoint(const std::filesystem::path& path) {
  load_checkpoint_from_string(read_file(path), path.string());
}

}  // namespace hwnas::train
