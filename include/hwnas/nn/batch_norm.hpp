#pragma once
/// \file
/// `BatchNorm2d`: batch normalisation over the channels of NCHW inputs, with
/// running statistics for evaluation, configured by `BatchNorm2dSpec`:
///
///     nn::BatchNorm2d bn(nn::BatchNorm2dSpec{32}.momentum(0.01));

#include <cstdint>
#include <string>

#include "hwnas/core/ops/batch_norm.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/per_sample.hpp"

namespace hwnas::nn {

/// Batch-norm settings; the defaults are PyTorch's (eps 1e-5, momentum 0.1, affine).
class BatchNorm2dSpec {
 public:
  explicit BatchNorm2dSpec(std::int64_t channels) : channels_(channels) {}

  /// Added to the variance before its square root.
  BatchNorm2dSpec& eps(double value) {
    eps_ = value;
    return *this;
  }
  /// Weight of each new batch in the running statistics.
  BatchNorm2dSpec& momentum(double value) {
    momentum_ = value;
    return *this;
  }
  /// Whether the layer has a learned scale and shift.
  BatchNorm2dSpec& affine(bool on) {
    affine_ = on;
    return *this;
  }

  [[nodiscard]] std::int64_t channels() const { return channels_; }
  [[nodiscard]] double eps() const { return eps_; }
  [[nodiscard]] double momentum() const { return momentum_; }
  [[nodiscard]] bool affine() const { return affine_; }

  friend bool operator==(const BatchNorm2dSpec&, const BatchNorm2dSpec&) = default;

 private:
  std::int64_t channels_;
  double eps_ = 1e-5;
  double momentum_ = 0.1;
  bool affine_ = true;
};

/// Parameters (when affine): `weight` (scale) and `bias` (shift), both [C] and
/// ParameterKind::norm. Buffers: `running_mean` (starts at 0) and
/// `running_var` (starts at 1), both [C]. In training mode the batch
/// statistics normalise and the running ones are updated; in evaluation mode
/// the running statistics normalise and stay unchanged.
/// Default init: weight 1, bias 0; the running statistics are not touched
/// (`reset_running_stats()` does that).
template <Scalar T>
class BasicBatchNorm2d : public BasicModule<T> {
 public:
  /// Throws ConfigError for non-positive channels or eps, or momentum outside [0, 1].
  explicit BasicBatchNorm2d(const BatchNorm2dSpec& spec) : spec_(spec) {
    HWNAS_CHECK_CONFIG(spec.channels() >= 1, "BatchNorm2d: channels must be positive, got {}", spec.channels());
    HWNAS_CHECK_CONFIG(spec.eps() > 0.0, "BatchNorm2d: eps must be positive, got {}", spec.eps());
    HWNAS_CHECK_CONFIG(spec.momentum() >= 0.0 && spec.momentum() <= 1.0,
                       "BatchNorm2d: momentum must be in [0, 1], got {}", spec.momentum());
    const Shape channels{spec.channels()};
    if (spec.affine()) {
      weight_ = &this->register_parameter("weight", BasicTensor<T>(channels, T{1}), ParameterKind::norm);
      bias_ = &this->register_parameter("bias", BasicTensor<T>(channels), ParameterKind::norm);
    }
    running_mean_ = &this->register_buffer("running_mean", BasicTensor<T>(channels));
    running_var_ = &this->register_buffer("running_var", BasicTensor<T>(channels, T{1}));
  }
  explicit BasicBatchNorm2d(std::int64_t channels) : BasicBatchNorm2d(BatchNorm2dSpec{channels}) {}

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    if (auto* per_sample = BasicPerSampleGradients<T>::active(); per_sample != nullptr && this->is_training())
      return per_sample->batch_norm2d(x, weight(), bias(), spec_.eps());
    return hwnas::batch_norm2d(
        x, weight(), bias(), *running_mean_, *running_var_,
        BatchNormOptions{}.training(this->is_training()).momentum(spec_.momentum()).eps(spec_.eps()));
  }
  [[nodiscard]] std::string type_name() const override { return "BatchNorm2d"; }

  void reset_parameters(Rng& /*rng*/) override {
    if (!spec_.affine()) return;
    init::ones(weight_->value());
    init::zeros(bias_->value());
  }

  /// Running mean back to 0 and running variance back to 1.
  void reset_running_stats() {
    init::zeros(*running_mean_);
    init::ones(*running_var_);
  }

  [[nodiscard]] const BatchNorm2dSpec& spec() const { return spec_; }
  /// Changes how much each training-mode batch moves the running statistics
  /// (1: they become the batch's own), e.g. for BN recalibration.
  void set_momentum(double momentum) {
    HWNAS_CHECK_CONFIG(momentum >= 0.0 && momentum <= 1.0, "BatchNorm2d: momentum must be in [0, 1], got {}",
                       momentum);
    spec_.momentum(momentum);
  }
  /// The scale, or a null variable without affine parameters.
  [[nodiscard]] BasicVariable<T> weight() const { return weight_ ? *weight_ : BasicVariable<T>(); }
  /// The shift, or a null variable without affine parameters.
  [[nodiscard]] BasicVariable<T> bias() const { return bias_ ? *bias_ : BasicVariable<T>(); }
  [[nodiscard]] BasicTensor<T>& running_mean() { return *running_mean_; }
  [[nodiscard]] const BasicTensor<T>& running_mean() const { return *running_mean_; }
  [[nodiscard]] BasicTensor<T>& running_var() { return *running_var_; }
  [[nodiscard]] const BasicTensor<T>& running_var() const { return *running_var_; }

 private:
  BatchNorm2dSpec spec_;
  BasicVariable<T>* weight_ = nullptr;
  BasicVariable<T>* bias_ = nullptr;
  BasicTensor<T>* running_mean_ = nullptr;
  BasicTensor<T>* running_var_ = nullptr;
};

using BatchNorm2d = BasicBatchNorm2d<float>;

}  // namespace hwnas::nn
