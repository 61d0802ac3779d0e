#pragma once
/// \file
/// Progressive shrinking (../shared/spec/ofa.md §4): trains one supernet so
/// that every subnet of `ofa-fmnist` works with the weights it inherits.
/// The recipe's phases run in order; each step of a phase
///
/// 1. draws one resolution for the batch (all subnets and the teacher see it);
/// 2. runs the teacher (the full network as the first phase left it, batch
///    norms in training mode, no gradients) when the phase distils;
/// 3. for each of `subnets_per_step` subnets drawn from the phase's choices:
///    activates it, runs the batch, and back-propagates the label-smoothed
///    cross entropy plus `kd_ratio` x KL(teacher || subnet) (the soft cross
///    entropy of Once-for-All up to a constant), gradients summed;
/// 4. takes one SGD step (Nesterov momentum, weight decay not on batch norm or
///    biases) at the phase's cosine schedule with linear warm-up.
///
/// Each phase starts a fresh optimizer, and each phase that makes the width
/// elastic first sorts every block's middle channels by importance
/// (`reorganize_channels(stage)`, stage 0 for the first such phase). Batches
/// follow a per-epoch permutation, resolutions and subnets a generator per
/// step, all derived from the recipe's seed, so that a run resumed from a
/// checkpoint ends with exactly the weights of an uninterrupted one.
///
///     ProgressiveShrinking ps(supernet, default_recipe());
///     ps.run(train_images, [&](const ShrinkingProgress& p) { bar.update(p.step); return true; }, "ps.ckpt");

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/optim/schedule.hpp"
#include "hwnas/optim/sgd.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/supernet/recipe.hpp"

namespace hwnas::supernet {

/// A network whose active subnet is chosen at run time, as `models::OfaSupernet` is.
template <class N>
concept ElasticSupernet = std::derived_from<N, nn::Module> &&
                          requires(N& net, const space::OfaFmnistArch& arch, std::int64_t stage) {
                            net.set_active(arch);
                            { net.extract(arch) } -> std::convertible_to<std::shared_ptr<nn::Module>>;
                            net.reorganize_channels(stage);
                          };

/// Where a run stands after a step.
struct ShrinkingProgress {
  std::size_t phase = 0;
  std::string phase_name;
  /// Steps done in this phase, of `steps`.
  std::int64_t step = 0;
  std::int64_t steps = 0;
  /// The step's loss, averaged over its subnets; its learning rate and resolution.
  double loss = 0.0;
  double lr = 0.0;
  std::int64_t resolution = 0;
};

template <ElasticSupernet Supernet>
class ProgressiveShrinking {
 public:
  /// Called after every step; returning false stops the run (after a checkpoint).
  using OnStep = std::function<bool(const ShrinkingProgress&)>;

  ProgressiveShrinking(std::shared_ptr<Supernet> supernet, Recipe recipe)
      : supernet_(std::move(supernet)), recipe_(std::move(recipe)) {
    HWNAS_CHECK_CONFIG(supernet_ != nullptr && !recipe_.phases.empty() && !recipe_.phases.front().distill,
                       "progressive shrinking: needs a supernet and a recipe whose first phase does not distil");
  }

  [[nodiscard]] const Recipe& recipe() const { return recipe_; }
  /// The phase and the step within it that run next (`phase == phases.size()` when done).
  [[nodiscard]] std::size_t phase() const { return phase_; }
  [[nodiscard]] std::int64_t step() const { return step_; }
  [[nodiscard]] bool done() const { return phase_ >= recipe_.phases.size(); }

  /// Steps a phase takes over `images` training images: whole batches only
  /// (a batch of one would break batch norm), at least one.
  [[nodiscard]] std::int64_t phase_steps(const Phase& phase, std::int64_t images) const {
    return std::max<std::int64_t>(1, std::llround(phase.epochs * static_cast<double>(steps_per_epoch(images))));
  }

  /// Runs from where it stands to the end of the recipe, or until `on_step`
  /// returns false. With a `checkpoint` path, saves there (atomically) at
  /// every phase end, every `checkpoint_every` steps and when stopped.
  /// Returns whether the recipe is complete.
  bool run(const data::LabelledImages& train, const OnStep& on_step = {},
           const std::filesystem::path& checkpoint = {}, std::int64_t checkpoint_every = 200) {
    data::check_labelled_images(train, "progressive shrinking");
    HWNAS_CHECK_CONFIG(std::ssize(train.labels) >= recipe_.batch_size,
                       "progressive shrinking: needs at least one batch of {} images, got {}", recipe_.batch_size,
                       train.labels.size());
    order_key_.reset();  // the images may differ from an earlier call's
    const auto save = [&] {
      if (!checkpoint.empty()) save_checkpoint(checkpoint);
    };
    while (!done()) {
      const Phase& phase = recipe_.phases[phase_];
      const std::int64_t per_epoch = steps_per_epoch(std::ssize(train.labels));
      const std::int64_t steps = phase_steps(phase, std::ssize(train.labels));
      if (step_ == 0) start_phase(phase);
      const std::int64_t warmup = std::llround(phase.warmup_epochs * static_cast<double>(per_epoch));
      const optim::CosineSchedule schedule(phase.lr, steps, std::min(steps - 1, warmup));
      while (step_ < steps) {
        ShrinkingProgress progress = train_step(phase, train, schedule.lr(step_));
        ++step_;
        progress.step = step_;
        progress.steps = steps;
        const bool go_on = !on_step || on_step(progress);
        if (step_ < steps && checkpoint_every > 0 && step_ % checkpoint_every == 0) save();
        if (!go_on) {
          save();
          return false;
        }
      }
      if (phase_ == 0) make_teachers();
      ++phase_;
      step_ = 0;
      optimizer_.reset();
      save();
    }
    return true;
  }

  /// The supernet, its teacher, the optimizer and the position, in the hwnas state format.
  void save_checkpoint(const std::filesystem::path& path) const {
    nn::StateWriter writer;
    nn::write_state(writer, *supernet_, "supernet/");
    if (!teachers_.empty()) nn::write_state(writer, *teachers_.begin()->second, "teacher/");
    nlohmann::json meta{{"format", checkpoint_format}, {"recipe", recipe_.to_json()}, {"phase", phase_},
                        {"step", step_}};
    if (optimizer_) meta["optimizer"] = optimizer_->write_state(writer, "optimizer/");
    write_file_atomically(path, writer.finish(std::move(meta)));
  }

  /// Continues the run saved at `path`; IoError for another recipe or a file that is not such a checkpoint.
  void load_checkpoint(const std::filesystem::path& path) {
    const nn::StateReader reader(read_file(path), path.string());
    const nlohmann::json& meta = reader.metadata();
    const auto fail = [&](const std::string& what) {
      throw IoError(fmt::format("cannot resume progressive shrinking from '{}': {}", path.string(), what));
    };
    if (meta.value("format", "") != checkpoint_format) fail("it is not a progressive-shrinking checkpoint");
    if (meta.at("recipe") != recipe_.to_json()) fail("it was made with another recipe");
    nn::read_state(reader, *supernet_, "supernet/");
    phase_ = meta.at("phase").get<std::size_t>();
    step_ = meta.at("step").get<std::int64_t>();
    teachers_.clear();
    if (phase_ > 0) {
      make_teachers();
      for (auto& [r, teacher] : teachers_) nn::read_state(reader, *teacher, "teacher/");
    }
    optimizer_.reset();
    if (meta.contains("optimizer")) {
      optimizer_ = make_optimizer(recipe_.phases.at(phase_));
      optimizer_->read_state(reader, meta.at("optimizer"), "optimizer/");
    }
  }

 private:
  static constexpr const char* checkpoint_format = "hwnas-progressive-shrinking";
  /// Independent random streams derived from the recipe's seed.
  enum class Stream : std::uint64_t { order = 1, resolution = 2, subnet = 3 };

  [[nodiscard]] std::int64_t steps_per_epoch(std::int64_t images) const {
    return std::max<std::int64_t>(1, images / recipe_.batch_size);
  }
  [[nodiscard]] std::uint64_t stream(Stream s, std::uint64_t a, std::uint64_t b = 0) const {
    return derive_seed(derive_seed(derive_seed(derive_seed(recipe_.seed, static_cast<std::uint64_t>(s)), phase_), a),
                       b);
  }

  void start_phase(const Phase& phase) {
    if (phase.elastic_width()) {
      const auto earlier = std::span(recipe_.phases).first(phase_);
      const auto stage = std::ranges::count_if(earlier, [](const Phase& p) { return p.elastic_width(); });
      supernet_->reorganize_channels(stage);
    }
    optimizer_ = make_optimizer(phase);
  }

  [[nodiscard]] std::unique_ptr<optim::SGD> make_optimizer(const Phase& phase) const {
    return std::make_unique<optim::SGD>(supernet_->named_parameters(),
                                        optim::SGDOptions(phase.lr)
                                            .momentum(recipe_.momentum)
                                            .nesterov(recipe_.momentum > 0.0)
                                            .weight_decay(recipe_.weight_decay)
                                            .decay_norm_and_bias(false));
  }

  /// The full network at each resolution, frozen as the first phase left it.
  void make_teachers() {
    teachers_.clear();
    for (std::int64_t r : recipe_.resolutions) {
      auto teacher = supernet_->extract(largest_subnet(recipe_.phases.front(), r));
      teacher->train(true);  // batch statistics, as Once-for-All's teacher
      teachers_.emplace(r, std::move(teacher));
    }
  }

  ShrinkingProgress train_step(const Phase& phase, const data::LabelledImages& train, double lr) {
    const std::int64_t per_epoch = steps_per_epoch(std::ssize(train.labels));
    const std::int64_t epoch = step_ / per_epoch;
    if (order_key_ != std::pair{phase_, epoch}) {  // a new epoch's order, drawn once
      Rng order_rng(stream(Stream::order, static_cast<std::uint64_t>(epoch)));
      order_ = data::random_permutation(std::ssize(train.labels), order_rng);
      order_key_ = {phase_, epoch};
    }
    const auto first = static_cast<std::size_t>((step_ % per_epoch) * recipe_.batch_size);
    const std::span<const std::int64_t> indices(order_.data() + first, static_cast<std::size_t>(recipe_.batch_size));
    const data::LabelledImages batch = data::subset(train, indices);
    const Variable images(batch.images);

    Rng resolution_rng(stream(Stream::resolution, static_cast<std::uint64_t>(step_)));
    const std::int64_t r =
        recipe_.resolutions[static_cast<std::size_t>(resolution_rng.uniform_int(recipe_.resolutions.size()))];
    std::optional<Variable> teacher_logits;
    if (phase.distill) {
      const NoGradGuard no_grad;
      teacher_logits = (*teachers_.at(r))(images).detach();
    }

    supernet_->train(true);
    supernet_->zero_grad();
    double loss_sum = 0.0;
    for (std::int64_t s = 0; s < phase.subnets_per_step; ++s) {
      Rng subnet_rng(stream(Stream::subnet, static_cast<std::uint64_t>(step_), static_cast<std::uint64_t>(s)));
      supernet_->set_active(sample_subnet(phase, r, subnet_rng));
      const Variable logits = (*supernet_)(images);
      Variable loss = cross_entropy(logits, batch.labels, recipe_.label_smoothing);
      if (teacher_logits) loss = add(loss, scale(kl_div_logits(logits, *teacher_logits), recipe_.kd_ratio));
      loss.backward();
      loss_sum += loss.value().item();
    }
    optimizer_->set_lr(lr);
    optimizer_->step();
    return {phase_, phase.name, 0, 0, loss_sum / static_cast<double>(phase.subnets_per_step), lr, r};
  }

  std::shared_ptr<Supernet> supernet_;
  Recipe recipe_;
  std::size_t phase_ = 0;
  std::int64_t step_ = 0;
  std::unique_ptr<optim::SGD> optimizer_;
  std::map<std::int64_t, std::shared_ptr<nn::Module>> teachers_;
  /// The batch order of the epoch in progress, and which (phase, epoch) it is for.
  std::vector<std::int64_t> order_;
  std::optional<std::pair<std::size_t, std::int64_t>> order_key_;
};

}  // namespace hwnas::supernet
