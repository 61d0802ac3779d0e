#pragma once
/// \file
/// `SqueezeExcite`: channel attention as in MobileNetV3 / Once-for-All. For
/// x [N, C, H, W]: s = hsigmoid(expand(relu(reduce(global_avg_pool(x))))),
/// out = x * s per channel, where `reduce` is a 1x1 conv C -> se with bias and
/// `expand` a 1x1 conv se -> C with bias.

#include <cstdint>
#include <memory>
#include <string>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/pool.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

/// Children: `reduce` and `expand` (Conv2d with bias), so the parameters are
/// reduce.weight [se, C, 1, 1], reduce.bias [se], expand.weight [C, se, 1, 1],
/// expand.bias [C]; 2 * C * se + se + C in all.
template <Scalar T>
class BasicSqueezeExcite : public BasicModule<T> {
 public:
  BasicSqueezeExcite(std::int64_t channels, std::int64_t se_channels)
      : reduce_(this->register_module("reduce", pointwise(channels, se_channels))),
        expand_(this->register_module("expand", pointwise(se_channels, channels))) {}

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    HWNAS_CHECK_SHAPE(x.dim() == 4 && x.size(1) == channels(), "SqueezeExcite: expected input [N, {}, H, W], got {}",
                      channels(), x.shape());
    const auto squeezed = hwnas::global_avg_pool2d(x);
    const auto scale = hwnas::hsigmoid((*expand_)(hwnas::relu((*reduce_)(squeezed))));
    return hwnas::channel_mul(x, scale);
  }
  [[nodiscard]] std::string type_name() const override { return "SqueezeExcite"; }

  [[nodiscard]] std::int64_t channels() const { return reduce_->spec().in_channels(); }
  [[nodiscard]] std::int64_t se_channels() const { return reduce_->spec().out_channels(); }
  [[nodiscard]] const std::shared_ptr<BasicConv2d<T>>& reduce() const { return reduce_; }
  [[nodiscard]] const std::shared_ptr<BasicConv2d<T>>& expand() const { return expand_; }

 private:
  /// A 1x1 conv with bias.
  static std::shared_ptr<BasicConv2d<T>> pointwise(std::int64_t in, std::int64_t out) {
    return std::make_shared<BasicConv2d<T>>(Conv2dSpec{in, out, 1});
  }

  std::shared_ptr<BasicConv2d<T>> reduce_;
  std::shared_ptr<BasicConv2d<T>> expand_;
};

using SqueezeExcite = BasicSqueezeExcite<float>;

}  // namespace hwnas::nn
