#pragma once
/// \file
/// `ofa-fmnist`: the elastic MobileNetV3-style space of Once-for-All for
/// 1x28x28 inputs and 10 classes (../shared/spec/spaces.md, docs/spaces.md).
/// Four stages of up to four MBConv blocks; each block chooses its kernel
/// size {3, 5, 7} and expand ratio {3, 4, 6}, each stage its depth {2, 3, 4},
/// the network its input resolution {20, 24, 28, 32}.
///
/// JSON: `{"space": "ofa-fmnist", "ks": [16 ints], "e": [16 ints], "d": [4 ints], "r": 28}`.
/// Entry i of `ks` and `e` belongs to block i % 4 of stage i / 4; entries of
/// blocks beyond their stage's depth are kept but do not change the network.
///
/// Encoding (100 values, Once-for-All's MobileNetArchEncoder order): one-hot
/// resolution (4), then per block a one-hot kernel size (16 x 3), then per
/// block a one-hot expand ratio (16 x 3); blocks beyond their stage's depth
/// are all zeros, so depth needs no slots of its own.
///
/// Decisions (37): the kernel size of each block (16 x 3 options), the expand
/// ratio of each block (16 x 3), the depth of each stage (4 x 3), the
/// resolution (4), each an index into its list below. Blocks beyond their
/// stage's depth keep their decisions, which do not change the network.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/models/mobilenet.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/space/mobilenet_space.hpp"

namespace hwnas::space {

struct OfaFmnistArch {
  static constexpr std::size_t stages = detail::fmnist_stage_count;
  static constexpr std::size_t blocks_per_stage = detail::fmnist_blocks_per_stage;
  static constexpr std::size_t blocks = stages * blocks_per_stage;

  std::array<std::int64_t, blocks> ks{};
  std::array<std::int64_t, blocks> e{};
  std::array<std::int64_t, stages> d{};
  std::int64_t r = 28;

  friend bool operator==(const OfaFmnistArch&, const OfaFmnistArch&) = default;
};

class OfaFmnistSpace : public detail::MobileNetSpace<OfaFmnistSpace, OfaFmnistArch> {
 public:
  using Arch = OfaFmnistArch;

  static constexpr std::array<std::int64_t, 3> kernel_sizes{3, 5, 7};
  static constexpr std::array<std::int64_t, 3> expand_ratios{3, 4, 6};
  static constexpr std::array<std::int64_t, 3> depths{2, 3, 4};
  static constexpr std::array<std::int64_t, 4> resolutions{20, 24, 28, 32};

  [[nodiscard]] std::string_view name() const { return "ofa-fmnist"; }

  [[nodiscard]] Arch sample(Rng& rng) const;
  [[nodiscard]] Arch mutate(const Arch& arch, Rng& rng, double p) const;
  [[nodiscard]] Arch crossover(const Arch& a, const Arch& b, Rng& rng) const;

  [[nodiscard]] std::size_t encoding_size() const { return resolutions.size() + 2 * Arch::blocks * 3; }
  [[nodiscard]] std::vector<float> encode(const Arch& arch) const;

  [[nodiscard]] nlohmann::json to_json(const Arch& arch) const;
  [[nodiscard]] Arch from_json(const nlohmann::json& json) const;

  /// 16 x 3 kernel sizes, 16 x 3 expand ratios, 4 x 3 depths, 4 resolutions.
  [[nodiscard]] std::vector<std::int64_t> decisions() const;
  [[nodiscard]] std::vector<std::int64_t> to_decisions(const Arch& arch) const;
  /// ConfigError naming the decision (e.g. "e[3]") for a wrong length or an index out of range.
  [[nodiscard]] Arch from_decisions(std::span<const std::int64_t> indices) const;

  /// Resolution, then the active blocks stage by stage:
  /// `r28|k3e3,k5e3|k3e4,k5e4,k7e4|k3e4,k5e4,k7e4|k5e6,k7e6`.
  [[nodiscard]] std::string canonical(const Arch& arch) const;

  /// The network as a MobileNet configuration (the active blocks only).
  [[nodiscard]] models::MobileNetConfig config(const Arch& arch) const;
  // build, summary, macs, params: from config(), see detail::MobileNetSpace.

  /// Distinct networks: 4 resolutions x (9^2 + 9^3 + 9^4)^4 stage settings.
  [[nodiscard]] double size() const;
  /// `{"ks": [3, 5, 7], "e": [3, 4, 6], "d": [2, 3, 4], "r": [20, 24, 28, 32], "blocks": 16, "stages": 4}`.
  [[nodiscard]] nlohmann::json choices() const;

  /// Every choice at its largest / smallest value.
  [[nodiscard]] Arch largest() const;
  [[nodiscard]] Arch smallest() const;

  /// Architectures whose layers, together, are every distinct layer of the
  /// space (for latency tables): at each resolution, all blocks at each
  /// (kernel, expand), full depth. A block's layer depends only on its own
  /// choices, its stage, whether it is the stage's first, and the resolution.
  [[nodiscard]] std::vector<Arch> layer_cover() const;
};

}  // namespace hwnas::space

template <>
struct std::hash<hwnas::space::OfaFmnistArch> {
  std::size_t operator()(const hwnas::space::OfaFmnistArch& arch) const noexcept;
};
