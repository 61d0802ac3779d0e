#pragma once
/// \file
/// Adam and AdamW, as PyTorch's `torch.optim.Adam` / `AdamW` (without amsgrad):
///
///     Adam:  g = grad + weight_decay * p          (decay coupled into the gradient)
///     AdamW: g = grad;  p = p * (1 - lr * weight_decay)   (decoupled decay)
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// with t the parameter's update count. PyTorch's AdamW defaults to
/// weight_decay 0.01; here both start at 0, so set it explicitly.

#include <cmath>
#include <string>
#include <vector>

#include "hwnas/optim/optimizer.hpp"

namespace hwnas::optim {

/// `AdamOptions{}.lr(1e-3).betas(0.9, 0.999).eps(1e-8).weight_decay(0)`.
class AdamOptions : public OptimizerOptions<AdamOptions> {
 public:
  explicit AdamOptions(double lr = 1e-3) : OptimizerOptions(lr) {}

  AdamOptions& betas(double beta1, double beta2) {
    beta1_ = beta1;
    beta2_ = beta2;
    return *this;
  }
  /// Added to the denominator for numerical stability.
  AdamOptions& eps(double value) {
    eps_ = value;
    return *this;
  }

  [[nodiscard]] double beta1() const { return beta1_; }
  [[nodiscard]] double beta2() const { return beta2_; }
  [[nodiscard]] double eps() const { return eps_; }

 private:
  double beta1_ = 0.9;
  double beta2_ = 0.999;
  double eps_ = 1e-8;
};

template <Scalar T>
class BasicAdam : public BasicOptimizer<T> {
 public:
  using typename BasicOptimizer<T>::Parameters;
  using typename BasicOptimizer<T>::State;

  /// Throws ConfigError unless 0 <= beta1, beta2 < 1 and eps >= 0.
  BasicAdam(Parameters parameters, const AdamOptions& options) : BasicAdam(std::move(parameters), options, false) {}

  [[nodiscard]] std::string type_name() const override { return name(decoupled_); }
  [[nodiscard]] const AdamOptions& options() const { return options_; }

 protected:
  BasicAdam(Parameters parameters, const AdamOptions& options, bool decoupled_weight_decay)
      : BasicOptimizer<T>(std::move(parameters), options.lr(), options.weight_decay(), options.decay_norm_and_bias(),
                          {"exp_avg", "exp_avg_sq"}, name(decoupled_weight_decay)),
        options_(options),
        decoupled_(decoupled_weight_decay) {
    HWNAS_CHECK_CONFIG(
        options.beta1() >= 0.0 && options.beta1() < 1.0 && options.beta2() >= 0.0 && options.beta2() < 1.0,
        "{}: betas must lie in [0, 1), got ({}, {})", name(decoupled_weight_decay), options.beta1(), options.beta2());
    HWNAS_CHECK_CONFIG(options.eps() >= 0.0, "{}: eps must be >= 0, got {}", name(decoupled_weight_decay),
                       options.eps());
  }

  void update(BasicTensor<T>& value, const BasicTensor<T>& grad, T weight_decay, State& state) override {
    auto p = value.array();
    const double lr = this->lr();
    const auto beta1 = static_cast<T>(options_.beta1());
    const auto beta2 = static_cast<T>(options_.beta2());
    auto m = state.slots[0].array();
    auto v = state.slots[1].array();
    const auto t = static_cast<double>(state.steps);
    const auto step_size = static_cast<T>(lr / (1.0 - std::pow(options_.beta1(), t)));
    const auto bias_correction2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(options_.beta2(), t)));
    const auto eps = static_cast<T>(options_.eps());
    // AdamW shrinks the weights directly; Adam adds the decay to the gradient.
    if (decoupled_) p *= static_cast<T>(1.0 - lr * static_cast<double>(weight_decay));
    const auto g = (grad.array() + (decoupled_ ? T{0} : weight_decay) * p).eval();
    m = beta1 * m + (T{1} - beta1) * g;
    v = beta2 * v + (T{1} - beta2) * g.square();
    p -= step_size * m / (v.sqrt() / bias_correction2_sqrt + eps);
  }

  [[nodiscard]] nlohmann::json hyperparameters() const override {
    return {{"beta1", options_.beta1()}, {"beta2", options_.beta2()}, {"eps", options_.eps()}};
  }

 private:
  static std::string name(bool decoupled) { return decoupled ? "AdamW" : "Adam"; }

  AdamOptions options_;
  bool decoupled_;
};

/// Adam with decoupled weight decay (Loshchilov and Hutter).
template <Scalar T>
class BasicAdamW : public BasicAdam<T> {
 public:
  using typename BasicAdam<T>::Parameters;

  BasicAdamW(Parameters parameters, const AdamOptions& options) : BasicAdam<T>(std::move(parameters), options, true) {}
};

using Adam = BasicAdam<float>;
using AdamW = BasicAdamW<float>;

}  // namespace hwnas::optim
