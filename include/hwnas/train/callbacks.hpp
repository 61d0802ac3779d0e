#pragma once
/// \file
/// Callbacks for `Trainer::fit`:
///
/// - `ShowProgress`: a progress bar per epoch on stderr (loss, accuracy,
///   images/s, ETA) and a summary line when each epoch ends;
/// - `MetricLog`: the epoch history as JSON Lines, rewritten atomically
///   after every epoch;
/// - `EarlyStopping`: stops when validation accuracy has not improved for
///   `patience` epochs;
/// - `Checkpointing`: saves a resumable checkpoint every N steps, at the end
///   of every epoch and when the run ends, atomically;
/// - `OptionalCallback<C>`: a callback chosen at run time (e.g. by a flag).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "hwnas/core/progress_bar.hpp"
#include "hwnas/train/trainer.hpp"

namespace hwnas::train {

class ShowProgress {
 public:
  explicit ShowProgress(std::FILE* out = stderr) : out_(out) {}

  void on_train_begin(const Trainer& trainer);
  void on_step_end(const Trainer& trainer, const StepMetrics& metrics);
  void on_epoch_end(const Trainer& trainer, const EpochMetrics& metrics);
  void on_train_end(const Trainer& trainer, const TrainResult& result);

 private:
  std::FILE* out_;
  std::unique_ptr<ProgressBar> bar_;
  std::int64_t bar_epoch_ = -1;
  /// Sums over the epoch's steps seen by this bar, for its running averages.
  double loss_sum_ = 0.0;
  double accuracy_sum_ = 0.0;
  std::int64_t steps_ = 0;
  /// When the bar's first step started: the run's or the previous epoch's end.
  std::chrono::steady_clock::time_point bar_start_;
};

class MetricLog {
 public:
  explicit MetricLog(std::filesystem::path path) : path_(std::move(path)) {}
  void on_epoch_end(const Trainer& trainer, const EpochMetrics& metrics) const;

 private:
  std::filesystem::path path_;
};

class EarlyStopping {
 public:
  /// Stops after `patience` epochs without a validation accuracy above the
  /// best so far by more than `min_delta`.
  explicit EarlyStopping(std::int64_t patience, double min_delta = 0.0);

  /// ConfigError when the run has no validation set to watch.
  bool on_epoch_end(const Trainer& trainer, const EpochMetrics& metrics);

 private:
  std::int64_t patience_;
  double min_delta_;
  std::optional<double> best_;
  std::int64_t epochs_without_improvement_ = 0;
};

class Checkpointing {
 public:
  /// Saves to `path` every `every_steps` steps (0: only at epoch ends and at
  /// the end of the run).
  explicit Checkpointing(std::filesystem::path path, std::int64_t every_steps = 0);

  void on_step_end(const Trainer& trainer, const StepMetrics& metrics) const;
  void on_epoch_end(const Trainer& trainer, const EpochMetrics& metrics) const;
  void on_train_end(const Trainer& trainer, const TrainResult& result) const;

 private:
  std::filesystem::path path_;
  std::int64_t every_steps_;
};

/// Forwards every hook `C` has when it holds a callback, and does nothing
/// when empty, so a run-time choice keeps one `fit` call:
///
///     trainer.fit(train, &val, callback_if<MetricLog>(!path.empty(), path));
template <class C>
class OptionalCallback {
 public:
  OptionalCallback() = default;
  explicit OptionalCallback(std::optional<C> callback) : callback_(std::move(callback)) {}

  void on_train_begin(const Trainer& t)
    requires requires(C& c) { c.on_train_begin(t); }
  {
    if (callback_) callback_->on_train_begin(t);
  }
  bool on_step_end(const Trainer& t, const StepMetrics& m)
    requires requires(C& c) { c.on_step_end(t, m); }
  {
    return callback_ && detail::call_hook([&] { return callback_->on_step_end(t, m); });
  }
  bool on_epoch_end(const Trainer& t, const EpochMetrics& m)
    requires requires(C& c) { c.on_epoch_end(t, m); }
  {
    return callback_ && detail::call_hook([&] { return callback_->on_epoch_end(t, m); });
  }
  void on_train_end(const Trainer& t, const TrainResult& r)
    requires requires(C& c) { c.on_train_end(t, r); }
  {
    if (callback_) callback_->on_train_end(t, r);
  }

 private:
  std::optional<C> callback_;
};

/// A `C` made from `args` when `on`, else nothing.
template <class C, class... Args>
[[nodiscard]] OptionalCallback<C> callback_if(bool on, Args&&... args) {
  if (!on) return OptionalCallback<C>();
  return OptionalCallback<C>(std::optional<C>(std::in_place, std::forward<Args>(args)...));
}

}  // namespace hwnas::train
