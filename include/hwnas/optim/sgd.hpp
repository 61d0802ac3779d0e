#pragma once
/// \file
/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`:
///
///     g   = grad + weight_decay * p
///     buf = g                                   (first update)
///     buf = momentum * buf + (1 - dampening) * g (later updates)
///     g   = g + momentum * buf  (Nesterov)   or   g = buf
///     p   = p - lr * g
///
/// Without momentum there is no buffer and p = p - lr * g.

#include <string>
#include <vector>

#include "hwnas/optim/optimizer.hpp"

namespace hwnas::optim {

/// `SGDOptions{0.1}.momentum(0.9).nesterov(true).weight_decay(3e-5).decay_norm_and_bias(false)`.
class SGDOptions : public OptimizerOptions<SGDOptions> {
 public:
  explicit SGDOptions(double lr) : OptimizerOptions(lr) {}

  SGDOptions& momentum(double value) {
    momentum_ = value;
    return *this;
  }
  SGDOptions& dampening(double value) {
    dampening_ = value;
    return *this;
  }
  SGDOptions& nesterov(bool on) {
    nesterov_ = on;
    return *this;
  }

  [[nodiscard]] double momentum() const { return momentum_; }
  [[nodiscard]] double dampening() const { return dampening_; }
  [[nodiscard]] bool nesterov() const { return nesterov_; }

 private:
  double momentum_ = 0.0;
  double dampening_ = 0.0;
  bool nesterov_ = false;
};

template <Scalar T>
class BasicSGD : public BasicOptimizer<T> {
 public:
  using typename BasicOptimizer<T>::Parameters;
  using typename BasicOptimizer<T>::State;

  /// Throws ConfigError for negative settings, or Nesterov without momentum
  /// or with dampening (as PyTorch).
  BasicSGD(Parameters parameters, const SGDOptions& options)
      : BasicOptimizer<T>(
            std::move(parameters), options.lr(), options.weight_decay(), options.decay_norm_and_bias(),
            options.momentum() != 0.0 ? std::vector<std::string>{"momentum_buffer"} : std::vector<std::string>{},
            "SGD"),
        options_(options) {
    HWNAS_CHECK_CONFIG(options.momentum() >= 0.0 && options.dampening() >= 0.0,
                       "SGD: momentum and dampening must be >= 0, got {} and {}", options.momentum(),
                       options.dampening());
    HWNAS_CHECK_CONFIG(!options.nesterov() || (options.momentum() > 0.0 && options.dampening() == 0.0),
                       "SGD: Nesterov momentum needs momentum > 0 and dampening 0, got {} and {}", options.momentum(),
                       options.dampening());
  }

  [[nodiscard]] std::string type_name() const override { return "SGD"; }
  [[nodiscard]] const SGDOptions& options() const { return options_; }

 protected:
  void update(BasicTensor<T>& value, const BasicTensor<T>& grad, T weight_decay, State& state) override {
    auto p = value.array();
    const auto lr = static_cast<T>(this->lr());
    auto g = (grad.array() + weight_decay * p).eval();
    if (options_.momentum() != 0.0) {
      const auto momentum = static_cast<T>(options_.momentum());
      auto buf = state.slots[0].array();
      if (state.steps == 1) {
        buf = g;
      } else {
        buf = momentum * buf + static_cast<T>(1.0 - options_.dampening()) * g;
      }
      if (options_.nesterov()) {
        g += momentum * buf;
      } else {
        g = buf;
      }
    }
    p -= lr * g;
  }

  [[nodiscard]] nlohmann::json hyperparameters() const override {
    return {{"momentum", options_.momentum()}, {"dampening", options_.dampening()}, {"nesterov", options_.nesterov()}};
  }

 private:
  SGDOptions options_;
};

using SGD = BasicSGD<float>;

}  // namespace hwnas::optim
