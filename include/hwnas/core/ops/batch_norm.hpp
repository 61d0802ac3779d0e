#pragma once
/// \file
/// Batch normalisation over the channels of NCHW tensors.

#include <utility>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/detail/norm_pool_kernels.hpp"

namespace hwnas {

/// How batch_norm2d normalises: `BatchNormOptions{}.training(false)`.
struct BatchNormOptions {
  /// Normalise with the statistics of the batch and update the running
  /// estimates (true), or normalise with the running estimates (false).
  bool training_ = true;
  /// Weight of the new batch in the running estimates.
  double momentum_ = 0.1;
  /// Added to the variance before its square root.
  double eps_ = 1e-5;

  BatchNormOptions& training(bool on) {
    training_ = on;
    return *this;
  }
  BatchNormOptions& momentum(double value) {
    momentum_ = value;
    return *this;
  }
  BatchNormOptions& eps(double value) {
    eps_ = value;
    return *this;
  }
};

/// Normalises each channel of `x` [N, C, H, W] to zero mean and unit
/// variance, then scales by `gamma` and shifts by `beta` (both [C]; either
/// may be null, meaning 1 and 0).
///
/// In training mode the batch's mean and biased variance normalise, and the
/// caller's running estimates (both [C]) are updated in place with
/// `running = (1 - momentum) * running + momentum * batch`, using the
/// unbiased batch variance, as PyTorch does. They are updated whether or not
/// grad mode is on: a forward pass in training mode under `NoGradGuard`
/// still moves them. Training needs more than one value per channel
/// (N * H * W > 1). In eval mode the running estimates normalise and are left
/// unchanged. Gradients reach x, gamma and beta in both modes.
template <Scalar T>
BasicVariable<T> batch_norm2d(const BasicVariable<T>& x, const BasicVariable<T>& gamma,
                              const BasicVariable<T>& beta, BasicTensor<T>& running_mean,
                              BasicTensor<T>& running_var, const BatchNormOptions& options) {
  HWNAS_CHECK_SHAPE(x.dim() == 4, "batch_norm2d: expected NCHW input, got {}", x.shape());
  const Shape channels{x.size(1)};
  HWNAS_CHECK_SHAPE(running_mean.shape() == channels && running_var.shape() == channels,
                    "batch_norm2d: running mean {} and variance {} must have shape {} for input {}",
                    running_mean.shape(), running_var.shape(), channels, x.shape());
  HWNAS_CHECK_SHAPE(!gamma || gamma.shape() == channels, "batch_norm2d: gamma {} must have shape {} for input {}",
                    gamma.shape(), channels, x.shape());
  HWNAS_CHECK_SHAPE(!beta || beta.shape() == channels, "batch_norm2d: beta {} must have shape {} for input {}",
                    beta.shape(), channels, x.shape());
  HWNAS_CHECK_CONFIG(options.momentum_ >= 0.0 && options.momentum_ <= 1.0,
                     "batch_norm2d: momentum must be in [0, 1], got {}", options.momentum_);
  HWNAS_CHECK_CONFIG(options.eps_ > 0.0, "batch_norm2d: eps must be positive, got {}", options.eps_);

  BasicTensor<T> mean;
  BasicTensor<T> variance;
  if (options.training_) {
    const std::int64_t count = x.size(0) * x.size(2) * x.size(3);
    HWNAS_CHECK_SHAPE(count > 1,
                      "batch_norm2d: training expects more than 1 value per channel, got input {}", x.shape());
    detail::channel_moments(x.value(), mean, variance);
    const T momentum = static_cast<T>(options.momentum_);
    const T unbiased = static_cast<T>(static_cast<double>(count) / static_cast<double>(count - 1));
    running_mean.array() = (T{1} - momentum) * running_mean.array() + momentum * mean.array();
    running_var.array() = (T{1} - momentum) * running_var.array() + momentum * unbiased * variance.array();
  } else {
    mean = running_mean;
  }
  BasicTensor<T> inv_std(channels);
  inv_std.array() = ((options.training_ ? variance : running_var).array() + static_cast<T>(options.eps_)).rsqrt();

  auto out = BasicTensor<T>::uninitialized(x.shape());
  detail::batch_norm_forward(x.value(), mean, inv_std, gamma ? &gamma.value() : nullptr,
                             beta ? &beta.value() : nullptr, out);
  const bool batch_statistics = options.training_;
  const bool has_gamma = gamma.defined();
  return BasicVariable<T>::make_result(
      "batch_norm2d", std::move(out), {&x, &gamma, &beta},
      [mean = std::move(mean), inv_std = std::move(inv_std), batch_statistics, has_gamma](auto& node) {
        const detail::BatchNormGrads<T> grads{node.needs_input_grad(0) ? &node.input_grad(0) : nullptr,
                                              node.needs_input_grad(1) ? &node.input_grad(1) : nullptr,
                                              node.needs_input_grad(2) ? &node.input_grad(2) : nullptr};
        detail::batch_norm_backward(node.grad, node.input_value(0), mean, inv_std,
                                    has_gamma ? &node.input_value(1) : nullptr, batch_statistics, grads);
      });
}

}  // namespace hwnas
