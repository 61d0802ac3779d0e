#pragma once
/// \file
/// `MBConv`: the inverted-residual block of MobileNetV2/V3 and Once-for-All,
/// configured by `MBConvSpec`:
///
///     nn::MBConv block(nn::MBConvSpec{24, 40, 5}.expand(4).stride(2).activation(nn::Activation::relu).se(true));
///
/// With mid = in * expand:
///   1x1 conv in -> mid (no bias) + BN + act     (left out when expand is 1)
///   k x k depthwise conv, stride s, pad k/2 (no bias) + BN + act
///   squeeze-excite on mid channels, se = make_divisible(mid / 4, 8) (optional)
///   1x1 conv mid -> out (no bias) + BN
///   + x when stride is 1 and in == out.

#include <cstdint>
#include <memory>
#include <string>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/shortcut.hpp"
#include "hwnas/nn/squeeze_excite.hpp"

namespace hwnas::nn {

/// `value` rounded to the nearest multiple of `divisor`, at least `divisor`
/// and never more than 10% below `value` (MobileNet's `make_divisible`).
[[nodiscard]] constexpr std::int64_t make_divisible(double value, std::int64_t divisor) {
  const auto d = static_cast<double>(divisor);
  auto rounded = static_cast<std::int64_t>(value + d / 2.0) / divisor * divisor;
  if (rounded < divisor) rounded = divisor;
  if (static_cast<double>(rounded) < 0.9 * value) rounded += divisor;
  return rounded;
}

/// `MBConvSpec{in, out, kernel}.expand(6).stride(1).activation(Activation::relu6).se(false)`.
class MBConvSpec {
 public:
  MBConvSpec(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  /// Expand ratio: the hidden width is in_channels * ratio.
  HWNAS_ARG(std::int64_t, expand, 6)
  /// Stride of the depthwise conv.
  HWNAS_ARG(std::int64_t, stride, 1)
  HWNAS_ARG(Activation, activation, Activation::relu6)
  /// Whether a squeeze-excite follows the depthwise conv.
  HWNAS_ARG(bool, se, false)

 public:
  [[nodiscard]] std::int64_t in_channels() const { return in_channels_; }
  [[nodiscard]] std::int64_t out_channels() const { return out_channels_; }
  [[nodiscard]] std::int64_t kernel_size() const { return kernel_size_; }

  [[nodiscard]] std::int64_t mid_channels() const { return in_channels_ * expand_; }
  [[nodiscard]] std::int64_t se_channels() const { return make_divisible(static_cast<double>(mid_channels()) / 4.0, 8); }
  [[nodiscard]] bool residual() const { return stride_ == 1 && in_channels_ == out_channels_; }

  friend bool operator==(const MBConvSpec&, const MBConvSpec&) = default;

 private:
  std::int64_t in_channels_;
  std::int64_t out_channels_;
  std::int64_t kernel_size_;
};

/// Children, in order: `expand_conv`, `expand_bn` (when expand > 1),
/// `depthwise_conv`, `depthwise_bn`, `se` (when on), `project_conv`, `project_bn`.
template <Scalar T>
class BasicMBConv : public BasicModule<T>, public HasShortcut {
 public:
  explicit BasicMBConv(const MBConvSpec& spec) : spec_(spec) {
    HWNAS_CHECK_CONFIG(spec.in_channels() >= 1 && spec.out_channels() >= 1,
                       "MBConv: channels must be positive, got {} -> {}", spec.in_channels(), spec.out_channels());
    HWNAS_CHECK_CONFIG(spec.kernel_size() >= 1 && spec.kernel_size() % 2 == 1,
                       "MBConv: kernel size must be odd and positive, got {}", spec.kernel_size());
    HWNAS_CHECK_CONFIG(spec.expand() >= 1, "MBConv: expand ratio must be >= 1, got {}", spec.expand());
    HWNAS_CHECK_CONFIG(spec.stride() >= 1, "MBConv: stride must be >= 1, got {}", spec.stride());
    const auto mid = spec.mid_channels();
    if (spec.expand() > 1) {
      expand_conv_ = this->register_module("expand_conv", conv(Conv2dSpec{spec.in_channels(), mid, 1}));
      expand_bn_ = this->register_module("expand_bn", std::make_shared<BasicBatchNorm2d<T>>(mid));
    }
    const auto k = spec.kernel_size();
    depthwise_conv_ = this->register_module(
        "depthwise_conv", conv(Conv2dSpec{mid, mid, k}.stride(spec.stride()).padding(k / 2).groups(mid)));
    depthwise_bn_ = this->register_module("depthwise_bn", std::make_shared<BasicBatchNorm2d<T>>(mid));
    if (spec.se()) se_ = this->register_module("se", std::make_shared<BasicSqueezeExcite<T>>(mid, spec.se_channels()));
    project_conv_ = this->register_module("project_conv", conv(Conv2dSpec{mid, spec.out_channels(), 1}));
    project_bn_ = this->register_module("project_bn", std::make_shared<BasicBatchNorm2d<T>>(spec.out_channels()));
    activation_ = make_activation<T>(spec.activation());
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    HWNAS_CHECK_SHAPE(x.dim() == 4 && x.size(1) == spec_.in_channels(), "MBConv: expected input [N, {}, H, W], got {}",
                      spec_.in_channels(), x.shape());
    BasicVariable<T> h = x;
    if (expand_conv_) h = (*activation_)((*expand_bn_)((*expand_conv_)(h)));
    h = (*activation_)((*depthwise_bn_)((*depthwise_conv_)(h)));
    if (se_) h = (*se_)(h);
    h = (*project_bn_)((*project_conv_)(h));
    return spec_.residual() && shortcut_ ? hwnas::add(h, x) : h;
  }
  [[nodiscard]] std::string type_name() const override { return "MBConv"; }
  /// Only blocks whose spec has a residual add have a shortcut to switch.
  void set_shortcut(bool on) override { shortcut_ = on; }

  [[nodiscard]] const MBConvSpec& spec() const { return spec_; }

 private:
  static std::shared_ptr<BasicConv2d<T>> conv(Conv2dSpec spec) {
    return std::make_shared<BasicConv2d<T>>(spec.bias(false));
  }

  MBConvSpec spec_;
  std::shared_ptr<BasicConv2d<T>> expand_conv_;
  std::shared_ptr<BasicBatchNorm2d<T>> expand_bn_;
  std::shared_ptr<BasicConv2d<T>> depthwise_conv_;
  std::shared_ptr<BasicBatchNorm2d<T>> depthwise_bn_;
  std::shared_ptr<BasicSqueezeExcite<T>> se_;
  std::shared_ptr<BasicConv2d<T>> project_conv_;
  std::shared_ptr<BasicBatchNorm2d<T>> project_bn_;
  // Stateless, so one instance serves both places it is applied.
  std::shared_ptr<BasicModule<T>> activation_;
  bool shortcut_ = true;
};

using MBConv = BasicMBConv<float>;

}  // namespace hwnas::nn
