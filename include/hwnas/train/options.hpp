#pragma once
/// \file
/// `TrainOptions`: every knob of a training run, set by chaining,
///
///     train::TrainOptions{}.epochs(3).batch_size(128).lr(0.1).label_smoothing(0.1).seed(7)
///
/// and kept in checkpoints and results as JSON (`to_json` / `from_json`; a
/// bad field is a ConfigError naming it and what it accepts).

#include <cstdint>
#include <string_view>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/arg.hpp"

namespace hwnas::train {

enum class OptimizerKind { sgd, adam, adamw };
enum class ScheduleKind { cosine, step, constant };

/// "sgd", "adam", "adamw".
[[nodiscard]] std::string_view to_string(OptimizerKind kind);
/// "cosine", "step", "constant".
[[nodiscard]] std::string_view to_string(ScheduleKind kind);
/// The kind named `name`; ConfigError listing the names otherwise.
[[nodiscard]] OptimizerKind optimizer_kind(std::string_view name);
[[nodiscard]] ScheduleKind schedule_kind(std::string_view name);

class TrainOptions {
 public:
  /// Passes over the training set.
  HWNAS_ARG(std::int64_t, epochs, 1)
  /// Images per optimizer step; the last incomplete batch of an epoch is dropped.
  HWNAS_ARG(std::int64_t, batch_size, 64)
  /// Images per forward pass when evaluating.
  HWNAS_ARG(std::int64_t, eval_batch_size, 100)
  HWNAS_ARG(OptimizerKind, optimizer, OptimizerKind::sgd)
  /// Peak learning rate.
  HWNAS_ARG(double, lr, 0.05)
  /// SGD momentum (Nesterov when `nesterov`).
  HWNAS_ARG(double, momentum, 0.9)
  HWNAS_ARG(bool, nesterov, true)
  HWNAS_ARG(ScheduleKind, schedule, ScheduleKind::cosine)
  /// Epochs of linear warm-up from 0 before the cosine decay (cosine only).
  HWNAS_ARG(std::int64_t, warmup_epochs, 0)
  /// The step schedule multiplies the rate by `lr_decay` every `lr_decay_epochs`.
  HWNAS_ARG(double, lr_decay, 0.1)
  HWNAS_ARG(std::int64_t, lr_decay_epochs, 30)
  HWNAS_ARG(double, weight_decay, 4e-5)
  /// Whether weight decay also applies to biases and batch-norm parameters.
  HWNAS_ARG(bool, decay_norm_and_bias, false)
  HWNAS_ARG(double, label_smoothing, 0.1)
  /// Zero-padding of the random crop applied to training batches (0: none).
  HWNAS_ARG(std::int64_t, random_crop_padding, 0)
  /// Whether training batches are flipped left-right at random.
  HWNAS_ARG(bool, horizontal_flip, false)
  /// Train on a seeded random subset of this many images (0: all).
  HWNAS_ARG(std::int64_t, train_subset, 0)
  /// Seeds initialisation, sample order, augmentation, subsets and dropout.
  HWNAS_ARG(std::uint64_t, seed, 0)
  /// Kernel threads during the run (0: the current setting).
  HWNAS_ARG(int, threads, 0)

 public:
  /// ConfigError naming the first field out of its range.
  void validate() const;

  friend bool operator==(const TrainOptions&, const TrainOptions&) = default;

 private:
  friend struct TrainOptionsFields;
};

void to_json(nlohmann::json& j, const TrainOptions& options);
/// Fields not present keep their defaults; unknown fields are an error.
void from_json(const nlohmann::json& j, TrainOptions& options);

}  // namespace hwnas::train
