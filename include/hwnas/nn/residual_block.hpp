#pragma once
/// \file
/// `ResidualBlock`: the basic block of ResNet-18/34 (He et al. 2016):
///
///     out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
///
/// conv1 is 3x3 with the block's stride, conv2 3x3 stride 1, both without
/// bias; the shortcut is the identity, or a 1x1 conv (no bias) + BN with the
/// block's stride when the shape changes.

#include <cstdint>
#include <memory>
#include <string>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/shortcut.hpp"

namespace hwnas::nn {

/// Children: `conv1`, `bn1`, `conv2`, `bn2`, and `shortcut_conv`,
/// `shortcut_bn` when the block changes width or resolution.
template <Scalar T>
class BasicResidualBlock : public BasicModule<T>, public HasShortcut {
 public:
  BasicResidualBlock(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride = 1)
      : conv1_(this->register_module("conv1", conv(in_channels, out_channels, 3, stride))),
        bn1_(this->register_module("bn1", std::make_shared<BasicBatchNorm2d<T>>(out_channels))),
        conv2_(this->register_module("conv2", conv(out_channels, out_channels, 3, 1))),
        bn2_(this->register_module("bn2", std::make_shared<BasicBatchNorm2d<T>>(out_channels))) {
    if (stride != 1 || in_channels != out_channels) {
      shortcut_conv_ = this->register_module("shortcut_conv", conv(in_channels, out_channels, 1, stride));
      shortcut_bn_ = this->register_module("shortcut_bn", std::make_shared<BasicBatchNorm2d<T>>(out_channels));
    }
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    const auto h = (*bn2_)((*conv2_)(hwnas::relu((*bn1_)((*conv1_)(x)))));
    if (!shortcut_) return hwnas::relu(h);
    const auto shortcut = shortcut_conv_ ? (*shortcut_bn_)((*shortcut_conv_)(x)) : x;
    return hwnas::relu(hwnas::add(h, shortcut));
  }
  [[nodiscard]] std::string type_name() const override { return "ResidualBlock"; }
  void set_shortcut(bool on) override { shortcut_ = on; }

  [[nodiscard]] std::int64_t in_channels() const { return conv1_->spec().in_channels(); }
  [[nodiscard]] std::int64_t out_channels() const { return conv1_->spec().out_channels(); }
  [[nodiscard]] std::int64_t stride() const { return conv1_->spec().stride(); }

 private:
  static std::shared_ptr<BasicConv2d<T>> conv(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride) {
    return std::make_shared<BasicConv2d<T>>(Conv2dSpec{in, out, k}.stride(stride).padding(k / 2).bias(false));
  }

  std::shared_ptr<BasicConv2d<T>> conv1_;
  std::shared_ptr<BasicBatchNorm2d<T>> bn1_;
  std::shared_ptr<BasicConv2d<T>> conv2_;
  std::shared_ptr<BasicBatchNorm2d<T>> bn2_;
  std::shared_ptr<BasicConv2d<T>> shortcut_conv_;
  std::shared_ptr<BasicBatchNorm2d<T>> shortcut_bn_;
  bool shortcut_ = true;
};

using ResidualBlock = BasicResidualBlock<float>;

}  // namespace hwnas::nn
