#pragma once
/// \file
/// MobileNetV3-style networks of MBConv stages, the shape of the `ofa-fmnist`
/// and `proxyless` search spaces:
///
///     [Resize to r x r] -> Conv3x3(stride 2, no bias) + BN + act -> MBConv stages
///     -> Conv1x1(no bias) + BN + hswish -> global average pool -> Linear
///
/// A stage's first block has the stage's stride; the others have stride 1.

#include <cstdint>
#include <memory>
#include <vector>

#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/mbconv.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::models {

/// One MBConv block's own choices.
struct MBConvChoice {
  std::int64_t kernel_size = 3;
  std::int64_t expand = 6;
  friend bool operator==(const MBConvChoice&, const MBConvChoice&) = default;
};

/// Blocks of one output width.
struct MobileNetStage {
  std::int64_t width = 0;
  std::int64_t stride = 1;
  nn::Activation activation = nn::Activation::relu;
  bool se = false;
  std::vector<MBConvChoice> blocks;
  friend bool operator==(const MobileNetStage&, const MobileNetStage&) = default;
};

struct MobileNetConfig {
  std::int64_t in_channels = 1;
  /// Height and width of the images fed to the network.
  std::int64_t input_size = 28;
  /// The size the network resizes them to (bilinear) before the stem.
  std::int64_t resolution = 28;
  std::int64_t stem_width = 16;
  nn::Activation stem_activation = nn::Activation::relu;
  std::vector<MobileNetStage> stages;
  std::int64_t head_width = 192;
  std::int64_t classes = 10;
  friend bool operator==(const MobileNetConfig&, const MobileNetConfig&) = default;
};

/// Blocks of each stage, first stage first.
using StageBlocks = std::vector<std::vector<MBConvChoice>>;

/// A network on the Fashion-MNIST skeleton that the `ofa-fmnist` and
/// `proxyless` spaces and the built-in `mbconv` network share: 1x28x28
/// inputs resized to `resolution`, a 16-wide stride-2 stem, four stages of
/// widths [24, 40, 80, 96], first-block strides [1, 2, 2, 1], activations
/// [relu, relu, hswish, hswish] and squeeze-excite on stages 2 and 4 (when
/// `se`), a 192-wide head and 10 classes. ConfigError unless `blocks` has
/// four stages.
[[nodiscard]] MobileNetConfig fmnist_mobilenet(StageBlocks blocks, bool se = true, std::int64_t resolution = 28);

/// The MBConv blocks of `config` in order, each with its input width and
/// stride. ConfigError for a config without stages or blocks, or with
/// non-positive sizes.
[[nodiscard]] std::vector<nn::MBConvSpec> mobilenet_layer_specs(const MobileNetConfig& config);

/// The network `config` describes, with zero weights (initialise it with
/// `nn::init::default_init`). Its children are `resize` (only when the
/// resolution differs from the input size), `stem_conv`, `stem_bn`,
/// `stem_act`, `blocks` (a Sequential of MBConv), `head_conv`, `head_bn`,
/// `head_act`, `pool`, `flatten`, `classifier`. ConfigError for a config
/// without stages or blocks, or with non-positive sizes.
/// Double-precision networks (`mobilenet<double>`) serve proxies that need
/// the range, such as synflow.
template <Scalar T = float>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> mobilenet(const MobileNetConfig& config);

extern template std::shared_ptr<nn::BasicSequential<float>> mobilenet(const MobileNetConfig&);
extern template std::shared_ptr<nn::BasicSequential<double>> mobilenet(const MobileNetConfig&);

}  // namespace hwnas::models
