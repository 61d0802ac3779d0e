#pragma once
/// \file
/// What training and evaluation measure, as value types with JSON forms:
/// `Evaluation` (loss and accuracy on a dataset), `StepMetrics` (one
/// optimizer step), `EpochMetrics` (one pass over the training set) and
/// `TrainResult` (a whole run).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/tensor.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::train {

/// Mean cross-entropy (without label smoothing) and top-1 accuracy.
struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
  std::int64_t samples = 0;
  friend bool operator==(const Evaluation&, const Evaluation&) = default;
};

struct StepMetrics {
  /// Steps done so far in the run, this one included.
  std::int64_t step = 0;
  /// Zero-based epoch and batch within it.
  std::int64_t epoch = 0;
  std::int64_t batch = 0;
  /// Loss as optimised (label smoothing included) and accuracy on the batch.
  double loss = 0.0;
  double accuracy = 0.0;
  /// The learning rate the step used.
  double lr = 0.0;
};

struct EpochMetrics {
  /// Zero-based.
  std::int64_t epoch = 0;
  /// Means over the epoch's batches.
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  /// On the validation set, when the run has one.
  std::optional<Evaluation> validation;
  /// Learning rate of the epoch's last step.
  double lr = 0.0;
  /// Wall time and training throughput of the part of the epoch this process ran.
  double seconds = 0.0;
  double images_per_second = 0.0;
};

/// How a run ended: all epochs done, stopped by a callback, or stopped
/// because the loss became NaN or infinite.
enum class TrainStatus { completed, stopped, diverged };

[[nodiscard]] std::string_view to_string(TrainStatus status);

struct TrainResult {
  TrainStatus status = TrainStatus::completed;
  std::vector<EpochMetrics> history;
  std::int64_t steps = 0;
  double seconds = 0.0;
};

void to_json(nlohmann::json& j, const Evaluation& e);
void from_json(const nlohmann::json& j, Evaluation& e);
void to_json(nlohmann::json& j, const EpochMetrics& m);
void from_json(const nlohmann::json& j, EpochMetrics& m);
void to_json(nlohmann::json& j, const TrainResult& r);

/// How many rows of `logits` [N, classes] have their maximum at the label.
[[nodiscard]] std::int64_t count_correct(const Tensor& logits, std::span<const std::int32_t> labels);

/// Loss and accuracy of `network` on `data` in evaluation mode, without
/// recording gradients, `batch_size` images per forward pass (larger batches
/// are no faster per image and, for large networks, slower: docs/benchmarks.md).
/// The network's training mode is restored afterwards. ConfigError for empty data.
[[nodiscard]] Evaluation evaluate(nn::Module& network, const data::LabelledImages& data,
                                  std::int64_t batch_size = 100);

}  // namespace hwnas::train
