#pragma once
/// \file
/// ResNet-style networks of basic residual blocks for small images:
///
///     Conv3x3(stride 1, no bias) + BN + ReLU -> stages of ResidualBlock
///     -> global average pool -> Linear
///
/// The first stage keeps the resolution; every later stage halves it in its
/// first block.

#include <cstdint>
#include <memory>
#include <vector>

#include "hwnas/nn/sequential.hpp"

namespace hwnas::models {

struct ResNetConfig {
  std::int64_t in_channels = 1;
  std::int64_t stem_width = 32;
  /// Output width of each stage.
  std::vector<std::int64_t> widths{32, 64, 128};
  std::int64_t blocks_per_stage = 2;
  std::int64_t classes = 10;
  friend bool operator==(const ResNetConfig&, const ResNetConfig&) = default;
};

/// The network `config` describes, with zero weights. Children: `stem_conv`,
/// `stem_bn`, `stem_act`, `blocks` (a Sequential of ResidualBlock), `pool`,
/// `flatten`, `classifier`. ConfigError for non-positive sizes.
[[nodiscard]] std::shared_ptr<nn::Sequential> resnet(const ResNetConfig& config);

}  // namespace hwnas::models
