#pragma once
/// \file
/// The fixed skeleton the `ofa-fmnist` and `proxyless` spaces share: four
/// stages with output widths [24, 40, 80, 96], first-block strides
/// [1, 2, 2, 1], activations [relu, relu, hswish, hswish], and
/// squeeze-excite on stages 2 and 4 (where the space uses it), between a
/// 16-wide stride-2 stem and a 192-wide head (models::MobileNetConfig's
/// defaults).

#include <array>
#include <cstddef>
#include <cstdint>

#include "hwnas/nn/activation.hpp"

namespace hwnas::space::detail {

struct FmnistStage {
  std::int64_t width;
  std::int64_t stride;
  nn::Activation activation;
  bool se;
};

inline constexpr std::size_t fmnist_stage_count = 4;
inline constexpr std::size_t fmnist_blocks_per_stage = 4;

inline constexpr std::array<FmnistStage, fmnist_stage_count> fmnist_stages{{{24, 1, nn::Activation::relu, false},
                                                                            {40, 2, nn::Activation::relu, true},
                                                                            {80, 2, nn::Activation::hswish, false},
                                                                            {96, 1, nn::Activation::hswish, true}}};

}  // namespace hwnas::space::detail
