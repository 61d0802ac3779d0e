#pragma once
/// \file
/// A network described layer by layer without building it: for each layer
/// (a stem conv, an MBConv block, a pooling or a classifier) its type,
/// input and output shapes, kernel, stride, MACs and parameters. Search
/// spaces answer `macs` and `params` from it in microseconds, `hwnas info`
/// prints it, and latency tables key their entries by its rows.
///
/// MACs follow the search spaces' convention: multiply-accumulates of conv
/// and linear layers (squeeze-excite's 1x1 convs included) at batch 1;
/// batch norm, activations, pooling, resizing and residual adds count 0.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/shape.hpp"
#include "hwnas/models/mobilenet.hpp"

namespace hwnas::models {

struct LayerSummary {
  /// "resize", "conv", "mbconv", "cell", "reduction", "bn", "pool" or "linear".
  std::string type;
  /// [C, H, W] (or [features] for linear layers).
  Shape input;
  Shape output;
  std::int64_t kernel = 0;
  std::int64_t stride = 1;
  /// MBConv only: expand ratio, squeeze-excite, residual add.
  std::int64_t expand = 0;
  bool se = false;
  bool residual = false;
  /// "relu", "hswish", ... or empty.
  std::string activation;
  std::int64_t macs = 0;
  std::int64_t params = 0;
  friend bool operator==(const LayerSummary&, const LayerSummary&) = default;
};

void to_json(nlohmann::json& j, const LayerSummary& layer);

/// Hashes every field, so that rows can key a map without formatting their `layer_key`.
struct LayerSummaryHash {
  [[nodiscard]] std::size_t operator()(const LayerSummary& layer) const noexcept;
};

/// The layers of `mobilenet(config)`, in order.
[[nodiscard]] std::vector<LayerSummary> mobilenet_summary(const MobileNetConfig& config);

[[nodiscard]] std::int64_t total_macs(const std::vector<LayerSummary>& layers);
[[nodiscard]] std::int64_t total_params(const std::vector<LayerSummary>& layers);

}  // namespace hwnas::models
