#pragma once
/// \file
/// `Conv2d`: a 2-D convolution layer (dense, grouped or depthwise) with an
/// optional bias, configured by `Conv2dSpec`:
///
///     nn::Conv2d conv(nn::Conv2dSpec{16, 32, 3}.stride(2).padding(1).bias(false));

#include <cstdint>
#include <string>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/per_sample.hpp"

namespace hwnas::nn {

/// The shape of a conv layer: channels and square kernel are required; stride
/// 1, padding 0, groups 1 and a bias are the defaults (as in PyTorch).
class Conv2dSpec {
 public:
  Conv2dSpec(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  Conv2dSpec& stride(std::int64_t value) {
    op_options_.stride(value);
    return *this;
  }
  /// Zero padding on every side.
  Conv2dSpec& padding(std::int64_t value) {
    op_options_.padding(value);
    return *this;
  }
  /// Channel groups: 1 is a dense conv, in_channels == out_channels == groups a depthwise one.
  Conv2dSpec& groups(std::int64_t value) {
    op_options_.groups(value);
    return *this;
  }
  Conv2dSpec& bias(bool on) {
    bias_ = on;
    return *this;
  }

  [[nodiscard]] std::int64_t in_channels() const { return in_channels_; }
  [[nodiscard]] std::int64_t out_channels() const { return out_channels_; }
  [[nodiscard]] std::int64_t kernel_size() const { return kernel_size_; }
  [[nodiscard]] std::int64_t stride() const { return op_options_.stride(); }
  [[nodiscard]] std::int64_t padding() const { return op_options_.padding(); }
  [[nodiscard]] std::int64_t groups() const { return op_options_.groups(); }
  [[nodiscard]] bool bias() const { return bias_; }

  /// The options the layer passes to the `conv2d` op.
  [[nodiscard]] const Conv2dOptions& op_options() const { return op_options_; }

  friend bool operator==(const Conv2dSpec&, const Conv2dSpec&) = default;

 private:
  std::int64_t in_channels_;
  std::int64_t out_channels_;
  std::int64_t kernel_size_;
  Conv2dOptions op_options_;
  bool bias_ = true;
};

/// Parameters: `weight` [out, in / groups, k, k] (ParameterKind::weight) and,
/// with a bias, `bias` [out] (ParameterKind::bias).
/// Default init: weight kaiming_normal(fan_out, ReLU gain), bias 0.
template <Scalar T>
class BasicConv2d : public BasicModule<T> {
 public:
  /// Throws ConfigError for non-positive sizes, negative padding, or channel
  /// counts that `groups` does not divide.
  explicit BasicConv2d(const Conv2dSpec& spec) : spec_(spec) {
    HWNAS_CHECK_CONFIG(spec.in_channels() >= 1 && spec.out_channels() >= 1 && spec.kernel_size() >= 1 &&
                           spec.stride() >= 1 && spec.padding() >= 0 && spec.groups() >= 1,
                       "Conv2d: invalid spec in={} out={} kernel={} stride={} padding={} groups={}", spec.in_channels(),
                       spec.out_channels(), spec.kernel_size(), spec.stride(), spec.padding(), spec.groups());
    HWNAS_CHECK_CONFIG(spec.in_channels() % spec.groups() == 0 && spec.out_channels() % spec.groups() == 0,
                       "Conv2d: groups {} must divide in_channels {} and out_channels {}", spec.groups(),
                       spec.in_channels(), spec.out_channels());
    const auto k = spec.kernel_size();
    weight_ = &this->register_parameter(
        "weight", BasicTensor<T>(Shape{spec.out_channels(), spec.in_channels() / spec.groups(), k, k}),
        ParameterKind::weight);
    if (spec.bias())
      bias_ = &this->register_parameter("bias", BasicTensor<T>(Shape{spec.out_channels()}), ParameterKind::bias);
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    if (auto* per_sample = BasicPerSampleGradients<T>::active())
      return per_sample->conv2d(x, *weight_, bias(), spec_.op_options());
    return hwnas::conv2d(x, *weight_, bias(), spec_.op_options());
  }
  [[nodiscard]] std::string type_name() const override { return "Conv2d"; }

  void reset_parameters(Rng& rng) override {
    init::kaiming_normal(weight_->value(), rng, init::FanMode::fan_out);
    if (bias_) init::zeros(bias_->value());
  }

  [[nodiscard]] const Conv2dSpec& spec() const { return spec_; }
  /// A handle sharing the layer's weight: changing its value changes the layer.
  [[nodiscard]] BasicVariable<T> weight() const { return *weight_; }
  /// The bias, or a null variable for a conv without one.
  [[nodiscard]] BasicVariable<T> bias() const { return bias_ ? *bias_ : BasicVariable<T>(); }

 private:
  Conv2dSpec spec_;
  BasicVariable<T>* weight_ = nullptr;
  BasicVariable<T>* bias_ = nullptr;
};

using Conv2d = BasicConv2d<float>;

}  // namespace hwnas::nn
