#include "hwnas/hypernet/smash_training.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/core/json_options.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/optim/schedule.hpp"

namespace hwnas::hypernet {
namespace {

constexpr std::string_view checkpoint_format = "hwnas-smash-training";

/// Training steps per epoch over `images` images: whole batches, at least one.
std::int64_t steps_per_epoch(std::int64_t images, std::int64_t batch_size) {
  return std::max<std::int64_t>(1, images / batch_size);
}

}  // namespace

void SmashTrainOptions::validate() const {
  HWNAS_CHECK_CONFIG(epochs_ >= 1, "SMASH training: epochs must be >= 1, got {}", epochs_);
  // Batch norm needs two images per batch.
  HWNAS_CHECK_CONFIG(batch_size_ >= 2, "SMASH training: batch_size must be >= 2, got {}", batch_size_);
  HWNAS_CHECK_CONFIG(lr_ >= 0.0 && std::isfinite(lr_), "SMASH training: lr must be finite and >= 0, got {}", lr_);
  HWNAS_CHECK_CONFIG(momentum_ >= 0.0 && momentum_ < 1.0, "SMASH training: momentum must be in [0, 1), got {}",
                     momentum_);
  HWNAS_CHECK_CONFIG(weight_decay_ >= 0.0, "SMASH training: weight_decay must be >= 0, got {}", weight_decay_);
  HWNAS_CHECK_CONFIG(label_smoothing_ >= 0.0 && label_smoothing_ <= 1.0,
                     "SMASH training: label_smoothing must be in [0, 1], got {}", label_smoothing_);
  HWNAS_CHECK_CONFIG(train_subset_ >= 0, "SMASH training: train_subset must be >= 0, got {}", train_subset_);
}

void to_json(nlohmann::json& j, const SmashTrainOptions& o) {
  j = {{"epochs", o.epochs()},
       {"batch_size", o.batch_size()},
       {"lr", o.lr()},
       {"momentum", o.momentum()},
       {"weight_decay", o.weight_decay()},
       {"label_smoothing", o.label_smoothing()},
       {"train_subset", o.train_subset()},
       {"seed", o.seed()}};
}

void from_json(const nlohmann::json& j, SmashTrainOptions& o) {
  JsonOptions f(j, "SMASH training options");
  o.epochs(f.get("epochs", o.epochs()))
      .batch_size(f.get("batch_size", o.batch_size()))
      .lr(f.get("lr", o.lr()))
      .momentum(f.get("momentum", o.momentum()))
      .weight_decay(f.get("weight_decay", o.weight_decay()))
      .label_smoothing(f.get("label_smoothing", o.label_smoothing()))
      .train_subset(f.get("train_subset", o.train_subset()))
      .seed(f.get("seed", o.seed()));
  f.finish();
  o.validate();
}

SmashTrainer::SmashTrainer(std::shared_ptr<SmashHypernet> hypernet, SmashTrainOptions options)
    : hypernet_(std::move(hypernet)), options_(options) {
  HWNAS_CHECK_CONFIG(hypernet_ != nullptr, "SMASH training: needs a hypernetwork");
  options_.validate();
  optimizer_ = make_optimizer();
}

std::unique_ptr<optim::SGD> SmashTrainer::make_optimizer() const {
  return std::make_unique<optim::SGD>(hypernet_->learned_parameters(), optim::SGDOptions(options_.lr())
                                                                           .momentum(options_.momentum())
                                                                           .nesterov(options_.momentum() > 0.0)
                                                                           .weight_decay(options_.weight_decay())
                                                                           .decay_norm_and_bias(false));
}

std::uint64_t SmashTrainer::stream(Stream s, std::uint64_t index) const {
  return derive_seed(derive_seed(options_.seed(), static_cast<std::uint64_t>(s)), index);
}

std::int64_t SmashTrainer::total_steps(std::int64_t images) const {
  const std::int64_t used = options_.train_subset() > 0 ? std::min(images, options_.train_subset()) : images;
  return options_.epochs() * steps_per_epoch(used, options_.batch_size());
}

train::TrainStatus SmashTrainer::run(const data::LabelledImages& train, const OnStep& on_step,
                                     const std::filesystem::path& checkpoint, std::int64_t checkpoint_every) {
  data::check_labelled_images(train, "SMASH training");
  const auto available = std::ssize(train.labels);
  std::optional<data::LabelledImages> subset;
  if (options_.train_subset() > 0 && options_.train_subset() < available) {
    Rng subset_rng(stream(Stream::subset, 0));
    auto indices = data::random_permutation(available, subset_rng);
    indices.resize(static_cast<std::size_t>(options_.train_subset()));
    subset = data::subset(train, indices);
  }
  const data::LabelledImages& images = subset ? *subset : train;
  HWNAS_CHECK_CONFIG(std::ssize(images.labels) >= options_.batch_size(),
                     "SMASH training: needs at least one batch of {} images, got {}", options_.batch_size(),
                     images.labels.size());
  order_epoch_.reset();  // the images may differ from an earlier call's

  const std::int64_t per_epoch = steps_per_epoch(std::ssize(images.labels), options_.batch_size());
  const std::int64_t steps = total_steps(available);
  const optim::CosineSchedule schedule(options_.lr(), steps);
  const auto save = [&] {
    if (!checkpoint.empty()) save_checkpoint(checkpoint);
  };
  while (step_ < steps) {
    SmashProgress progress = train_step(images, schedule.lr(step_));
    if (!std::isfinite(progress.loss)) return train::TrainStatus::diverged;
    ++step_;
    progress.step = step_;
    progress.steps = steps;
    const bool go_on = !on_step || on_step(progress);
    const bool epoch_end = step_ % per_epoch == 0;
    if (epoch_end || !go_on || (checkpoint_every > 0 && step_ % checkpoint_every == 0)) save();
    if (!go_on && step_ < steps) return train::TrainStatus::stopped;
  }
  return train::TrainStatus::completed;
}

SmashProgress SmashTrainer::train_step(const data::LabelledImages& images, double lr) {
  const std::int64_t per_epoch = steps_per_epoch(std::ssize(images.labels), options_.batch_size());
  const std::int64_t epoch = step_ / per_epoch;
  if (order_epoch_ != epoch) {  // a new epoch's order, drawn once
    Rng order_rng(stream(Stream::order, static_cast<std::uint64_t>(epoch)));
    order_ = data::random_permutation(std::ssize(images.labels), order_rng);
    order_epoch_ = epoch;
  }
  const auto first = static_cast<std::size_t>((step_ % per_epoch) * options_.batch_size());
  const std::span<const std::int64_t> indices(order_.data() + first, static_cast<std::size_t>(options_.batch_size()));
  const data::LabelledImages batch = data::subset(images, indices);

  Rng arch_rng(stream(Stream::arch, static_cast<std::uint64_t>(step_)));
  SmashProgress progress;
  progress.epoch = epoch;
  progress.lr = lr;
  progress.arch = hypernet_->network().space().sample(arch_rng);

  hypernet_->train(true);
  optimizer_->zero_grad();
  hypernet_->generate(progress.arch);
  Variable loss = cross_entropy((*hypernet_)(Variable(batch.images)), batch.labels, options_.label_smoothing());
  progress.loss = loss.item();
  if (!std::isfinite(progress.loss)) return progress;
  loss.backward();
  optimizer_->set_lr(lr);
  optimizer_->step();
  return progress;
}

void SmashTrainer::save_checkpoint(const std::filesystem::path& path) const {
  nn::StateWriter writer;
  hypernet_->write_state(writer, "hypernet/");
  nlohmann::json meta{
      {"format", checkpoint_format}, {"options", options_}, {"hypernet", hypernet_->description()}, {"step", step_}};
  meta["optimizer"] = optimizer_->write_state(writer, "optimizer/");
  write_file_atomically(path, writer.finish(meta));
}

void SmashTrainer::load_checkpoint(const std::filesystem::path& path) {
  const nn::StateReader reader(read_file(path), path.string());
  const nlohmann::json& meta = reader.metadata();
  const auto fail = [&](const std::string& what) {
    throw IoError(fmt::format("cannot resume SMASH training from '{}': {}", path.string(), what));
  };
  if (!meta.contains("format") || meta["format"] != checkpoint_format) fail("it is not a SMASH training checkpoint");
  if (!meta.contains("options") || !meta.contains("hypernet") || !meta.contains("optimizer") ||
      !meta.contains("step") || !meta["step"].is_number_unsigned())
    fail("its metadata lacks the options, the hypernetwork, the optimizer or the step");
  if (meta["options"] != nlohmann::json(options_)) fail("it was made with other training options");
  hypernet_->check_description(meta.at("hypernet"), path.string());
  // Both parts are checked before either changes: the optimizer reads into
  // a fresh instance first.
  auto optimizer = make_optimizer();
  optimizer->read_state(reader, meta.at("optimizer"), "optimizer/");
  hypernet_->read_state(reader, "hypernet/");
  optimizer_ = std::move(optimizer);
  step_ = meta["step"].get<std::int64_t>();
  order_epoch_.reset();
}

}  // namespace hwnas::hypernet
