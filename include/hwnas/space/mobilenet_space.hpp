#pragma once
/// \file
/// What the `ofa-fmnist` and `proxyless` spaces share: networks that are
/// MobileNets, described by each space's `config(arch)`, and their fixed
/// skeleton: four
/// stages with output widths [24, 40, 80, 96], first-block strides
/// [1, 2, 2, 1], activations [relu, relu, hswish, hswish], and
/// squeeze-excite on stages 2 and 4 (where the space uses it), between a
/// 16-wide stride-2 stem and a 192-wide head (models::MobileNetConfig's
/// defaults).

#include <array>
#include <cstddef>
#include <cstdint>

#include <memory>
#include <vector>

#include "hwnas/models/mobilenet.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/sequential.hpp"

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

/// Network, layer summary, MACs and parameters of a space whose
/// architectures map to a `models::MobileNetConfig` through `Space::config`.
template <class Space, class Arch>
class MobileNetSpace {
 public:
  [[nodiscard]] std::shared_ptr<nn::Sequential> build(const Arch& arch) const {
    return models::mobilenet(self().config(arch));
  }
  [[nodiscard]] std::vector<models::LayerSummary> summary(const Arch& arch) const {
    return models::mobilenet_summary(self().config(arch));
  }
  [[nodiscard]] std::int64_t macs(const Arch& arch) const { return models::total_macs(summary(arch)); }
  [[nodiscard]] std::int64_t params(const Arch& arch) const { return models::total_params(summary(arch)); }

 private:
  [[nodiscard]] const Space& self() const { return static_cast<const Space&>(*this); }
};

}  // namespace hwnas::space::detail
