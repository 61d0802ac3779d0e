#pragma once
/// \file
/// A row of a layer summary (summary.hpp) as what a layer-wise latency table
/// needs: a readable key naming everything its latency depends on, and the
/// layer alone as a network to time. Keys (../shared/spec/latency.md):
///
///     mbconv-in:14x14x24-out:14x14x24-e:6-k:7-s:1-se:0-act:relu-res:1
///     conv-in:28x28x1-out:14x14x16-k:3-s:2-act:relu      (conv + BN + activation)
///     resize-in:28x28x1-out:20x20x1
///     pool-in:4x4x192-out:1x1x192
///     linear-in:192-out:10

#include <memory>
#include <string>

#include "hwnas/models/summary.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::models {

[[nodiscard]] std::string layer_key(const LayerSummary& layer);

/// The layer of `layer` alone, zero weights, taking inputs of `layer.input`.
/// ConfigError for rows that do not stand alone (NAS-Bench-201 cells, whose
/// row does not say their operations).
[[nodiscard]] std::shared_ptr<nn::Module> build_layer(const LayerSummary& layer);

}  // namespace hwnas::models
