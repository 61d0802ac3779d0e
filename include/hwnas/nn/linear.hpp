#pragma once
/// \file
/// `Linear`: a fully connected layer, y = x W^T + b for x [N, in].

#include <cstdint>
#include <string>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/per_sample.hpp"

namespace hwnas::nn {

/// Parameters: `weight` [out, in] (ParameterKind::weight) and, with a bias,
/// `bias` [out] (ParameterKind::bias).
/// Default init: weight normal(0, 0.01), bias 0 (see init.hpp for why).
template <Scalar T>
class BasicLinear : public BasicModule<T> {
 public:
  BasicLinear(std::int64_t in_features, std::int64_t out_features, bool bias = true)
      : in_features_(in_features), out_features_(out_features) {
    HWNAS_CHECK_CONFIG(in_features >= 1 && out_features >= 1,
                       "Linear: feature counts must be positive, got in={} out={}", in_features, out_features);
    weight_ =
        &this->register_parameter("weight", BasicTensor<T>(Shape{out_features, in_features}), ParameterKind::weight);
    if (bias) bias_ = &this->register_parameter("bias", BasicTensor<T>(Shape{out_features}), ParameterKind::bias);
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    if (auto* per_sample = BasicPerSampleGradients<T>::active()) return per_sample->linear(x, *weight_, bias());
    return hwnas::linear(x, *weight_, bias());
  }
  [[nodiscard]] std::string type_name() const override { return "Linear"; }

  void reset_parameters(Rng& rng) override {
    init::normal(weight_->value(), rng, 0.0, 0.01);
    if (bias_) init::zeros(bias_->value());
  }

  [[nodiscard]] std::int64_t in_features() const { return in_features_; }
  [[nodiscard]] std::int64_t out_features() const { return out_features_; }
  /// A handle sharing the layer's weight: changing its value changes the layer.
  [[nodiscard]] BasicVariable<T> weight() const { return *weight_; }
  /// The bias, or a null variable for a layer without one.
  [[nodiscard]] BasicVariable<T> bias() const { return bias_ ? *bias_ : BasicVariable<T>(); }

 private:
  std::int64_t in_features_;
  std::int64_t out_features_;
  BasicVariable<T>* weight_ = nullptr;
  BasicVariable<T>* bias_ = nullptr;
};

using Linear = BasicLinear<float>;

}  // namespace hwnas::nn
