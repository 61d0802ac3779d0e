#pragma once
/// \file
/// `proxyless`: the layer-wise MBConv chain of ProxylessNAS for 1x28x28
/// inputs and 10 classes (../shared/spec/spaces.md, docs/spaces.md): the
/// `ofa-fmnist` skeleton without squeeze-excite, at a fixed 28x28 input,
/// with 16 searchable layers (4 per stage). Each layer is one of 7
/// candidates: MBConv with kernel {3, 5, 7} x expand {3, 6}, or `zero` (the
/// layer is skipped; not allowed on a stage's first layer, which changes
/// the shape).
///
/// JSON: `{"space": "proxyless", "ops": [16 strings]}`, strings such as
/// `"mb_k5_e6"` or `"zero"`.
///
/// Encoding (112 values): per layer a one-hot over the 7 candidates in the
/// order of `candidates`.
///
/// Decisions (16): per layer an index into `allowed(layer)`, so a stage's
/// first layer has 6 options (`candidates` without `zero`) and the others 7.

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

/// One layer's candidate: an MBConv block, or `zero` (kernel and expand 0).
struct ProxylessOp {
  std::int64_t kernel_size = 0;
  std::int64_t expand = 0;

  [[nodiscard]] bool is_zero() const { return kernel_size == 0; }
  /// "mb_k5_e6" or "zero".
  [[nodiscard]] std::string name() const;
  friend bool operator==(const ProxylessOp&, const ProxylessOp&) = default;
};

struct ProxylessArch {
  static constexpr std::size_t stages = detail::fmnist_stage_count;
  static constexpr std::size_t layers_per_stage = detail::fmnist_blocks_per_stage;
  static constexpr std::size_t layers = stages * layers_per_stage;

  std::array<ProxylessOp, layers> ops{};

  friend bool operator==(const ProxylessArch&, const ProxylessArch&) = default;
};

class ProxylessSpace : public detail::MobileNetSpace<ProxylessSpace, ProxylessArch> {
 public:
  using Arch = ProxylessArch;

  /// The 7 candidates, `zero` first.
  static constexpr std::array<ProxylessOp, 7> candidates{{{0, 0}, {3, 3}, {3, 6}, {5, 3}, {5, 6}, {7, 3}, {7, 6}}};

  [[nodiscard]] std::string_view name() const { return "proxyless"; }

  /// The candidates layer `layer` may take (no `zero` on a stage's first layer).
  [[nodiscard]] std::span<const ProxylessOp> allowed(std::size_t layer) const;

  [[nodiscard]] Arch sample(Rng& rng) const;
  [[nodiscard]] Arch mutate(const Arch& arch, Rng& rng, double p) const;
  [[nodiscard]] Arch crossover(const Arch& a, const Arch& b, Rng& rng) const;

  [[nodiscard]] std::size_t encoding_size() const { return Arch::layers * candidates.size(); }
  [[nodiscard]] std::vector<float> encode(const Arch& arch) const;

  [[nodiscard]] nlohmann::json to_json(const Arch& arch) const;
  [[nodiscard]] Arch from_json(const nlohmann::json& json) const;

  /// Per layer the size of `allowed(layer)`: 6 on a stage's first layer, 7 elsewhere.
  [[nodiscard]] std::vector<std::int64_t> decisions() const;
  [[nodiscard]] std::vector<std::int64_t> to_decisions(const Arch& arch) const;
  /// ConfigError naming the layer for a wrong length or an index out of range.
  [[nodiscard]] Arch from_decisions(std::span<const std::int64_t> indices) const;

  /// The 16 op names joined by commas.
  [[nodiscard]] std::string canonical(const Arch& arch) const;

  [[nodiscard]] models::MobileNetConfig config(const Arch& arch) const;
  // build, summary, macs, params: from config(), see detail::MobileNetSpace.

  /// Architectures whose layers, together, are every distinct layer of the
  /// space (for latency tables): every layer at each MBConv candidate. A
  /// `zero` layer adds none, and the layer after it sees the same input.
  [[nodiscard]] std::vector<Arch> layer_cover() const;

  /// 6^4 x 7^12 distinct networks.
  [[nodiscard]] double size() const;
  /// `{"ops": [7 names], "layers": 16, "first_layer_ops": [the 6 without zero]}`.
  [[nodiscard]] nlohmann::json choices() const;
};

}  // namespace hwnas::space

template <>
struct std::hash<hwnas::space::ProxylessArch> {
  std::size_t operator()(const hwnas::space::ProxylessArch& arch) const noexcept;
};
