#pragma once
/// \file
/// `Trainer`: trains a network with mini-batch SGD or Adam(W), a learning-rate
/// schedule and label smoothing, and evaluates it:
///
///     train::Trainer trainer(net, train::TrainOptions{}.epochs(3).lr(0.1).seed(7));
///     auto result = trainer.fit(train_set, &validation_set,
///                               train::ShowProgress{}, train::Checkpointing{"run/checkpoint.state", 200});
///     double test_acc = trainer.evaluate(test_set).accuracy;
///
/// Callbacks are a variadic pack of plain objects; each hook is called only if
/// the callback defines it, and a hook returning true stops the run:
///
///     void on_train_begin(const Trainer&);
///     bool on_step_end(const Trainer&, const StepMetrics&);    // or void
///     bool on_epoch_end(const Trainer&, const EpochMetrics&);  // or void
///     void on_train_end(const Trainer&, const TrainResult&);
///
/// Determinism: with the same options (seed included) and the same number of
/// threads, a run gives bit-identical weights and metrics, and so does a run
/// resumed from any checkpoint of it (`load_checkpoint`, then `fit` again):
/// sample order, augmentation and dropout masks are all functions of the
/// seed and the step.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "hwnas/core/parallel.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/data/loader.hpp"
#include "hwnas/nn/dropout.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/optim/optimizer.hpp"
#include "hwnas/train/metrics.hpp"
#include "hwnas/train/options.hpp"

namespace hwnas::train {

class Trainer;

namespace detail {

/// Calls the hook when the callback has it; true when the hook asks to stop.
template <class Hook, class... Args>
bool call_hook(Hook&& hook, Args&&... args) {
  if constexpr (std::is_void_v<std::invoke_result_t<Hook, Args...>>) {
    std::invoke(std::forward<Hook>(hook), std::forward<Args>(args)...);
    return false;
  } else {
    return static_cast<bool>(std::invoke(std::forward<Hook>(hook), std::forward<Args>(args)...));
  }
}

template <class C>
void on_train_begin(C& callback, const Trainer& trainer) {
  if constexpr (requires { callback.on_train_begin(trainer); }) callback.on_train_begin(trainer);
}
template <class C>
bool on_step_end(C& callback, const Trainer& trainer, const StepMetrics& metrics) {
  if constexpr (requires { callback.on_step_end(trainer, metrics); })
    return call_hook([&] { return callback.on_step_end(trainer, metrics); });
  return false;
}
template <class C>
bool on_epoch_end(C& callback, const Trainer& trainer, const EpochMetrics& metrics) {
  if constexpr (requires { callback.on_epoch_end(trainer, metrics); })
    return call_hook([&] { return callback.on_epoch_end(trainer, metrics); });
  return false;
}
template <class C>
void on_train_end(C& callback, const Trainer& trainer, const TrainResult& result) {
  if constexpr (requires { callback.on_train_end(trainer, result); }) callback.on_train_end(trainer, result);
}

}  // namespace detail

class Trainer {
 public:
  /// Trains `network` in place, from its current weights (initialise a new
  /// network first, e.g. with `nn::init::default_init`). ConfigError for
  /// invalid options.
  Trainer(std::shared_ptr<nn::Module> network, TrainOptions options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// Trains on `train` until the options' epochs are done, a callback stops
  /// the run or the loss diverges, continuing from the current step (0, or
  /// where a loaded checkpoint left off). Evaluates on `validation`, when
  /// given, at the end of every epoch. Both datasets must outlive the call.
  template <class... Callbacks>
  TrainResult fit(const data::LabelledImages& train, const data::LabelledImages* validation,
                  Callbacks&&... callbacks);

  /// Loss and accuracy on `data` (see train::evaluate), with the options' threads.
  [[nodiscard]] Evaluation evaluate(const data::LabelledImages& data) const;

  /// Everything needed to continue the run bit for bit: weights, buffers,
  /// optimizer state, step, the current epoch's running sums and the history,
  /// with the options for checking. One file in the hwnas state format.
  [[nodiscard]] std::string checkpoint_to_string() const;
  /// Writes the checkpoint to `path` atomically.
  void save_checkpoint(const std::filesystem::path& path) const;
  /// Restores a checkpoint of a run with the same options (threads may
  /// differ) and network; IoError or ConfigError naming the problem
  /// otherwise, and then the trainer and network are unchanged.
  void load_checkpoint_from_string(std::string bytes, const std::string& origin);
  void load_checkpoint(const std::filesystem::path& path);

  [[nodiscard]] nn::Module& network() const { return *network_; }
  [[nodiscard]] const TrainOptions& options() const { return options_; }
  [[nodiscard]] const optim::Optimizer& optimizer() const { return *optimizer_; }
  /// Optimizer steps done so far.
  [[nodiscard]] std::int64_t step() const { return step_; }
  /// Known once `fit` has seen the training data (or a checkpoint was loaded); 0 before.
  [[nodiscard]] std::int64_t steps_per_epoch() const { return steps_per_epoch_; }
  [[nodiscard]] std::int64_t total_steps() const { return options_.epochs() * steps_per_epoch_; }
  /// The finished epochs.
  [[nodiscard]] const std::vector<EpochMetrics>& history() const { return history_; }
  /// Images the current `fit` trains on (after `train_subset`); 0 outside `fit`.
  [[nodiscard]] std::int64_t train_size() const;

 private:
  using Clock = std::chrono::steady_clock;

  /// Running sums of the epoch in progress.
  struct EpochTally {
    double loss_sum = 0.0;
    std::int64_t correct = 0;
    std::int64_t samples = 0;
    std::int64_t batches = 0;
  };
  struct Run;

  void begin_run(const data::LabelledImages& train);
  void end_run();
  /// One optimizer step on the next batch; a non-finite loss leaves the
  /// weights and the step count as they were.
  StepMetrics train_step();
  /// Closes the epoch when the last step finished it.
  std::optional<EpochMetrics> end_epoch_if_complete(const data::LabelledImages* validation);

  std::shared_ptr<nn::Module> network_;
  TrainOptions options_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::vector<nn::Dropout*> dropouts_;
  std::int64_t step_ = 0;
  std::int64_t steps_per_epoch_ = 0;
  EpochTally tally_;
  std::vector<EpochMetrics> history_;
  std::unique_ptr<Run> run_;
};

template <class... Callbacks>
TrainResult Trainer::fit(const data::LabelledImages& train, const data::LabelledImages* validation,
                         Callbacks&&... callbacks) {
  const auto start = Clock::now();
  std::optional<ThreadCountGuard> threads;
  if (options_.threads() > 0) threads.emplace(options_.threads());
  begin_run(train);
  struct EndRun {
    Trainer& trainer;
    ~EndRun() { trainer.end_run(); }
  } end_run_on_exit{*this};

  (detail::on_train_begin(callbacks, *this), ...);
  TrainResult result;
  while (step_ < total_steps()) {
    const StepMetrics metrics = train_step();
    if (!std::isfinite(metrics.loss)) {
      result.status = TrainStatus::diverged;
      break;
    }
    const std::optional<EpochMetrics> epoch = end_epoch_if_complete(validation);
    // Every callback sees every event, so `|`, not `||`.
    bool stop = (detail::on_step_end(callbacks, *this, metrics) | ... | false);
    if (epoch) stop = (detail::on_epoch_end(callbacks, *this, *epoch) | ... | stop);
    if (stop && step_ < total_steps()) {
      result.status = TrainStatus::stopped;
      break;
    }
  }
  result.history = history_;
  result.steps = step_;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  (detail::on_train_end(callbacks, *this, result), ...);
  return result;
}

}  // namespace hwnas::train
