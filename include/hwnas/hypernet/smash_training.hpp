#pragma once
/// \file
/// Training a SMASH hypernetwork (Brock et al., ICLR 2018): every step
///
/// 1. takes the next batch of a per-epoch permutation of the training images;
/// 2. samples an architecture of `ofa-fmnist` and generates its weights;
/// 3. runs the batch through it (at the architecture's resolution) and
///    back-propagates the label-smoothed cross entropy into the generator
///    and the directly learned weights;
/// 4. takes one SGD step (Nesterov momentum, no weight decay on batch norms
///    and biases) at a per-step cosine schedule.
///
/// Batch order, the training subset and the architectures are functions of
/// the seed and the step, so a run gives the same weights for the same seed
/// and thread count, and so does a run resumed from its checkpoint:
///
///     SmashTrainer trainer(hypernet, SmashTrainOptions{}.epochs(10).batch_size(128).seed(1));
///     ProgressBar bar(trainer.total_steps(train.labels.size()), "smash");
///     trainer.run(train, [&](const SmashProgress& p) { bar.update(p.step); return true; }, "smash.ckpt");

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/hypernet/smash_hypernet.hpp"
#include "hwnas/optim/sgd.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/train/metrics.hpp"

namespace hwnas::hypernet {

/// `SmashTrainOptions{}.epochs(10).batch_size(128).lr(0.05).seed(1)`.
class SmashTrainOptions {
  /// Passes over the training images.
  HWNAS_ARG(std::int64_t, epochs, 1)
  /// Images per step; an epoch's last incomplete batch is dropped.
  HWNAS_ARG(std::int64_t, batch_size, 128)
  /// Peak learning rate of the cosine schedule.
  HWNAS_ARG(double, lr, 0.05)
  /// SGD momentum (Nesterov when above 0).
  HWNAS_ARG(double, momentum, 0.9)
  HWNAS_ARG(double, weight_decay, 4e-5)
  HWNAS_ARG(double, label_smoothing, 0.1)
  /// Train on a seeded random subset of this many images (0: all).
  HWNAS_ARG(std::int64_t, train_subset, 0)
  /// Seeds the batch order, the subset and the sampled architectures.
  HWNAS_ARG(std::uint64_t, seed, 0)

 public:
  /// ConfigError naming the first field out of its range.
  void validate() const;
  friend bool operator==(const SmashTrainOptions&, const SmashTrainOptions&) = default;
};

void to_json(nlohmann::json& j, const SmashTrainOptions& options);
/// Fields not present keep their values; ConfigError naming an unknown,
/// mistyped or out-of-range field.
void from_json(const nlohmann::json& j, SmashTrainOptions& options);

/// Where a run stands after a step.
struct SmashProgress {
  /// Steps done, of `steps` in the run.
  std::int64_t step = 0;
  std::int64_t steps = 0;
  /// Zero-based epoch of the step.
  std::int64_t epoch = 0;
  /// The step's loss (label smoothing included), learning rate and architecture.
  double loss = 0.0;
  double lr = 0.0;
  space::OfaFmnistArch arch;
};

class SmashTrainer {
 public:
  /// Called after every step; returning false stops the run.
  using OnStep = std::function<bool(const SmashProgress&)>;

  /// Trains `hypernet` in place from its current weights (initialise it
  /// first). ConfigError for invalid options or no hypernetwork.
  SmashTrainer(std::shared_ptr<SmashHypernet> hypernet, SmashTrainOptions options);

  /// Steps the run takes over `images` training images (before the subset).
  [[nodiscard]] std::int64_t total_steps(std::int64_t images) const;
  /// Steps done so far.
  [[nodiscard]] std::int64_t step() const { return step_; }
  [[nodiscard]] const SmashTrainOptions& options() const { return options_; }

  /// Trains from the current step to the end, until `on_step` returns false,
  /// or until a loss is not finite (that step changes nothing). With a
  /// `checkpoint` path, saves there atomically after every epoch, every
  /// `checkpoint_every` steps (0: only then) and when stopped. Returns how
  /// the run ended. ConfigError when `train` holds less than one batch.
  train::TrainStatus run(const data::LabelledImages& train, const OnStep& on_step = {},
                         const std::filesystem::path& checkpoint = {}, std::int64_t checkpoint_every = 0);

  /// The hypernetwork, the optimizer, the step and the options, in the hwnas
  /// state format, written atomically.
  void save_checkpoint(const std::filesystem::path& path) const;
  /// Continues the run saved at `path`; IoError for a file that is not such
  /// a checkpoint, or one of a run with other options or another hypernetwork.
  void load_checkpoint(const std::filesystem::path& path);

 private:
  /// Independent random streams derived from the seed.
  enum class Stream : std::uint64_t { order = 1, subset = 2, arch = 3 };

  [[nodiscard]] std::uint64_t stream(Stream s, std::uint64_t index) const;
  [[nodiscard]] std::unique_ptr<optim::SGD> make_optimizer() const;
  [[nodiscard]] SmashProgress train_step(const data::LabelledImages& images, double lr);

  std::shared_ptr<SmashHypernet> hypernet_;
  SmashTrainOptions options_;
  std::unique_ptr<optim::SGD> optimizer_;
  std::int64_t step_ = 0;
  /// The batch order of the epoch in progress, and which epoch it is for.
  std::vector<std::int64_t> order_;
  std::optional<std::int64_t> order_epoch_;
};

}  // namespace hwnas::hypernet
