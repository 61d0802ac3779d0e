#pragma once
/// \file
/// The progressive-shrinking recipe of an `ofa-fmnist` supernet
/// (../shared/spec/ofa.md §4 and its ofa-fmnist adaptation): phases that
/// each widen the choices subnets are sampled from (full network, elastic
/// kernel, elastic depth, elastic width), with their own length, learning
/// rate and subnets per step, and the settings they share. As JSON:
///
///     {"batch_size": 128, "kd_ratio": 1.0, "label_smoothing": 0.1, "weight_decay": 3e-5, "momentum": 0.9,
///      "resolutions": [20, 24, 28, 32], "validation_size": 10000, "seed": 0,
///      "phases": [{"name": "full", "kernel_sizes": [7], "expand_ratios": [6], "depths": [4],
///                  "epochs": 3, "lr": 0.1, "warmup_epochs": 0, "subnets_per_step": 1, "distill": false}, ...]}
///
/// `default_recipe()` is the adaptation's plan: full 3 epochs, kernel 1,
/// depth {3,4} 0.5 and {2,3,4} 1, expand {4,6} 0.5 and {3,4,6} 1.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace hwnas::supernet {

struct Phase {
  std::string name;
  /// The choices subnets are drawn from in this phase.
  std::vector<std::int64_t> kernel_sizes{7};
  std::vector<std::int64_t> expand_ratios{6};
  std::vector<std::int64_t> depths{4};
  /// Passes over the training images (fractions allowed).
  double epochs = 1.0;
  /// Peak learning rate, reached after `warmup_epochs` of linear warm-up, then cosine to 0.
  double lr = 0.1;
  double warmup_epochs = 0.0;
  /// Subnets whose gradients are summed before each optimizer step.
  std::int64_t subnets_per_step = 1;
  /// Whether the loss distils from the full network trained in the first phase.
  bool distill = true;

  /// Whether this phase makes the expand ratio elastic (channels are sorted by importance before it).
  [[nodiscard]] bool elastic_width() const { return expand_ratios.size() > 1; }
  friend bool operator==(const Phase&, const Phase&) = default;
};

struct Recipe {
  std::vector<Phase> phases;
  std::vector<std::int64_t> resolutions{20, 24, 28, 32};
  std::int64_t batch_size = 128;
  /// Weight of the distillation term; the label-smoothed cross entropy has weight 1.
  double kd_ratio = 1.0;
  double label_smoothing = 0.1;
  /// On conv and linear weights only, not on batch norm or biases.
  double weight_decay = 3e-5;
  double momentum = 0.9;
  /// Training images held out for validation, BN recalibration and the accuracy predictor.
  std::int64_t validation_size = 10000;
  std::uint64_t seed = 0;

  /// ConfigError naming the field for anything malformed, unknown or out of
  /// range (a choice the space does not have, a phase list empty, ...).
  [[nodiscard]] static Recipe from_json(const nlohmann::json& json);
  [[nodiscard]] nlohmann::json to_json() const;
  friend bool operator==(const Recipe&, const Recipe&) = default;
};

/// The ofa-fmnist adaptation's plan (see the file comment).
[[nodiscard]] Recipe default_recipe();

/// A subnet of `phase` at resolution `r`: every block's kernel and expand
/// ratio and every stage's depth drawn uniformly from the phase's lists
/// (blocks beyond their stage's depth too, as Once-for-All draws them).
[[nodiscard]] space::OfaFmnistArch sample_subnet(const Phase& phase, std::int64_t r, Rng& rng);

/// The smallest and the largest subnet of `phase` at resolution `r`.
[[nodiscard]] space::OfaFmnistArch smallest_subnet(const Phase& phase, std::int64_t r);
[[nodiscard]] space::OfaFmnistArch largest_subnet(const Phase& phase, std::int64_t r);

}  // namespace hwnas::supernet
