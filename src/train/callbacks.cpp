#include "hwnas/train/callbacks.hpp"

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"

namespace hwnas::train {

void ShowProgress::on_train_begin(const Trainer& /*trainer*/) { bar_start_ = std::chrono::steady_clock::now(); }

void ShowProgress::on_step_end(const Trainer& trainer, const StepMetrics& metrics) {
  if (bar_epoch_ != metrics.epoch) {
    const std::string label = fmt::format("epoch {}/{}", metrics.epoch + 1, trainer.options().epochs());
    bar_ = std::make_unique<ProgressBar>(trainer.steps_per_epoch(), label, out_);
    bar_epoch_ = metrics.epoch;
    loss_sum_ = accuracy_sum_ = 0.0;
    steps_ = 0;
  }
  loss_sum_ += metrics.loss;
  accuracy_sum_ += metrics.accuracy;
  ++steps_;
  const auto n = static_cast<double>(steps_);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - bar_start_).count();
  const double images = n * static_cast<double>(trainer.options().batch_size());
  bar_->update(metrics.batch + 1, fmt::format("loss {:.4f}  acc {:.4f}  {:.0f} img/s", loss_sum_ / n,
                                              accuracy_sum_ / n, seconds > 0.0 ? images / seconds : 0.0));
}

void ShowProgress::on_epoch_end(const Trainer& trainer, const EpochMetrics& m) {
  if (bar_) bar_->finish();
  bar_.reset();
  bar_start_ = std::chrono::steady_clock::now();
  std::string line = fmt::format("epoch {}/{}  loss {:.4f}  acc {:.4f}", m.epoch + 1, trainer.options().epochs(),
                                 m.train_loss, m.train_accuracy);
  if (m.validation)
    line += fmt::format("  val_loss {:.4f}  val_acc {:.4f}", m.validation->loss, m.validation->accuracy);
  line += fmt::format("  {:.0f} img/s  {}", m.images_per_second, ProgressBar::format_duration(m.seconds));
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

void ShowProgress::on_train_end(const Trainer& /*trainer*/, const TrainResult& result) {
  bar_.reset();
  if (result.status == TrainStatus::diverged)
    fmt::print(out_, "training diverged at step {}: the loss is not finite\n", result.steps);
  else if (result.status == TrainStatus::stopped)
    fmt::print(out_, "training stopped at step {}\n", result.steps);
  std::fflush(out_);
}

void MetricLog::on_epoch_end(const Trainer& trainer, const EpochMetrics& /*metrics*/) const {
  std::string lines;
  for (const auto& m : trainer.history()) lines += nlohmann::json(m).dump() + "\n";
  write_file_atomically(path_, lines);
}

EarlyStopping::EarlyStopping(std::int64_t patience, double min_delta) : patience_(patience), min_delta_(min_delta) {
  HWNAS_CHECK_CONFIG(patience >= 1, "EarlyStopping: patience must be >= 1 epoch, got {}", patience);
  HWNAS_CHECK_CONFIG(min_delta >= 0.0, "EarlyStopping: min_delta must be >= 0, got {}", min_delta);
}

bool EarlyStopping::on_epoch_end(const Trainer& /*trainer*/, const EpochMetrics& metrics) {
  HWNAS_CHECK_CONFIG(metrics.validation.has_value(),
                     "EarlyStopping watches validation accuracy, but the run has no validation set");
  const double accuracy = metrics.validation->accuracy;
  if (!best_ || accuracy > *best_ + min_delta_) {
    best_ = accuracy;
    epochs_without_improvement_ = 0;
    return false;
  }
  return ++epochs_without_improvement_ >= patience_;
}

Checkpointing::Checkpointing(std::filesystem::path path, std::int64_t every_steps)
    : path_(std::move(path)), every_steps_(every_steps) {
  HWNAS_CHECK_CONFIG(every_steps >= 0, "Checkpointing: every_steps must be >= 0, got {}", every_steps);
}

void Checkpointing::on_step_end(const Trainer& trainer, const StepMetrics& metrics) const {
  // Epoch ends save in on_epoch_end, after the epoch's metrics are recorded.
  const bool epoch_end = metrics.step % trainer.steps_per_epoch() == 0;
  if (every_steps_ > 0 && metrics.step % every_steps_ == 0 && !epoch_end) trainer.save_checkpoint(path_);
}

void Checkpointing::on_epoch_end(const Trainer& trainer, const EpochMetrics& /*metrics*/) const {
  trainer.save_checkpoint(path_);
}

void Checkpointing::on_train_end(const Trainer& trainer, const TrainResult& /*result*/) const {
  trainer.save_checkpoint(path_);
}

}  // namespace hwnas::train
