#pragma once
/// \file
/// Learning-rate schedules: small value types answering `lr(step)` for a
/// global step count starting at 0 (one step = one optimizer update). A
/// training loop calls `optimizer.set_lr(schedule.lr(step))` before each step.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <numbers>

#include "hwnas/core/error.hpp"

namespace hwnas::optim {

/// A learning-rate schedule: `s.lr(step)` for every step >= 0.
template <class S>
concept LrSchedule = requires(const S& s, std::int64_t step) {
  { s.lr(step) } -> std::convertible_to<double>;
};

namespace detail {
inline void check_step(std::int64_t step) {
  HWNAS_CHECK_CONFIG(step >= 0, "learning-rate schedule: step must be >= 0, got {}", step);
}
}  // namespace detail

/// The same rate at every step.
class ConstantSchedule {
 public:
  explicit ConstantSchedule(double lr) : lr_(lr) {
    HWNAS_CHECK_CONFIG(lr >= 0.0, "ConstantSchedule: lr must be >= 0, got {}", lr);
  }
  [[nodiscard]] double lr(std::int64_t step) const {
    detail::check_step(step);
    return lr_;
  }

 private:
  double lr_;
};

/// Linear warm-up, then a cosine decay to 0, per step, as Once-for-All does it:
///
///     step < W:  lr = start + (step + 1) / W * (base - start)
///     step >= W: lr = base / 2 * (1 + cos(pi * min(step - W, D) / D)),  D = total - W
///
/// so the warm-up ends at exactly `base` and the last step of the run
/// (`total - 1`) is just above 0; later steps stay at 0. An OFA run with
/// `n_epochs` and `warmup_epochs` is `from_epochs(base, n_epochs + warmup_epochs,
/// steps_per_epoch, warmup_epochs, warmup_lr)`.
class CosineSchedule {
 public:
  /// `total_steps` counts the warm-up steps too and must exceed them.
  CosineSchedule(double base_lr, std::int64_t total_steps, std::int64_t warmup_steps = 0, double warmup_start_lr = 0.0)
      : base_lr_(base_lr), total_steps_(total_steps), warmup_steps_(warmup_steps), warmup_start_lr_(warmup_start_lr) {
    HWNAS_CHECK_CONFIG(base_lr >= 0.0 && warmup_start_lr >= 0.0,
                       "CosineSchedule: learning rates must be >= 0, got base {} and warm-up start {}", base_lr,
                       warmup_start_lr);
    HWNAS_CHECK_CONFIG(warmup_steps >= 0 && total_steps > warmup_steps,
                       "CosineSchedule: needs 0 <= warmup_steps < total_steps, got {} and {}", warmup_steps,
                       total_steps);
  }

  /// The schedule of a run of `epochs` epochs (warm-up included) of `steps_per_epoch` steps each.
  [[nodiscard]] static CosineSchedule from_epochs(double base_lr, std::int64_t epochs, std::int64_t steps_per_epoch,
                                                  std::int64_t warmup_epochs = 0, double warmup_start_lr = 0.0) {
    HWNAS_CHECK_CONFIG(steps_per_epoch >= 1, "CosineSchedule: steps_per_epoch must be >= 1, got {}", steps_per_epoch);
    return {base_lr, epochs * steps_per_epoch, warmup_epochs * steps_per_epoch, warmup_start_lr};
  }

  [[nodiscard]] double lr(std::int64_t step) const {
    detail::check_step(step);
    if (step < warmup_steps_) {
      const double fraction = static_cast<double>(step + 1) / static_cast<double>(warmup_steps_);
      return warmup_start_lr_ + fraction * (base_lr_ - warmup_start_lr_);
    }
    const auto decay_steps = static_cast<double>(total_steps_ - warmup_steps_);
    const double t = std::min(static_cast<double>(step - warmup_steps_), decay_steps);
    return 0.5 * base_lr_ * (1.0 + std::cos(std::numbers::pi * t / decay_steps));
  }

  [[nodiscard]] double base_lr() const { return base_lr_; }
  [[nodiscard]] std::int64_t total_steps() const { return total_steps_; }
  [[nodiscard]] std::int64_t warmup_steps() const { return warmup_steps_; }

 private:
  double base_lr_;
  std::int64_t total_steps_;
  std::int64_t warmup_steps_;
  double warmup_start_lr_;
};

/// Step decay: the rate is multiplied by `gamma` every `every_epochs` epochs,
/// lr = base * gamma^floor(step / (every_epochs * steps_per_epoch)).
class StepDecaySchedule {
 public:
  StepDecaySchedule(double base_lr, double gamma, std::int64_t every_epochs, std::int64_t steps_per_epoch = 1)
      : base_lr_(base_lr), gamma_(gamma), period_(every_epochs * steps_per_epoch) {
    HWNAS_CHECK_CONFIG(base_lr >= 0.0 && gamma >= 0.0,
                       "StepDecaySchedule: needs base_lr >= 0 and gamma >= 0, got {} and {}", base_lr, gamma);
    HWNAS_CHECK_CONFIG(every_epochs >= 1 && steps_per_epoch >= 1,
                       "StepDecaySchedule: every_epochs and steps_per_epoch must be >= 1, got {} and {}", every_epochs,
                       steps_per_epoch);
  }

  [[nodiscard]] double lr(std::int64_t step) const {
    detail::check_step(step);
    return base_lr_ * std::pow(gamma_, static_cast<double>(step / period_));
  }

 private:
  double base_lr_;
  double gamma_;
  std::int64_t period_;
};

}  // namespace hwnas::optim
