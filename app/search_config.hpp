#pragma once
// The configuration of `hwnas search`: one JSON document (`--config FILE`,
// or built from flags), validated field by field, and the parts it
// assembles. docs/search.md lists every field; the defaults are the main job:
//
//     {"space": "ofa-fmnist",
//      "estimator": {"name": "ofa-predictor", "file": "auto"},  // other spaces: {"name": "zen"}
//      "cost": {"name": "lut", "file": "auto", "threads": 1},
//      "strategy": {"name": "evolution", "population": 100},
//      "constraints": {"cost": null, "params": null},     // null cost: the median of sampled candidates
//      "budget": {"evaluations": 3000, "seconds": null},
//      "objective": "accuracy", "seed": 0, "early_stop": 0, "checkpoint_seconds": 5,
//      "final": {"supernet": "auto", "measure": true}}     // other spaces: {"epochs": 1, "train_subset": 12000}

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hwnas/cost/any_cost.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/search/any_strategy.hpp"
#include "hwnas/search/searcher.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::app {

struct SearchConfig {
  std::string space = "ofa-fmnist";
  /// {"name": a zero-cost proxy and its settings, "ofa-predictor" and its "file", or "supernet" and its
  /// "dir", "recalibration_images", "validation_images", "data", "data_dir"}.
  nlohmann::json estimator = default_estimator(space);
  /// {"name": "lut" | "mlp" | "macs" | "params" | "measured", "file", "threads", "force"}.
  nlohmann::json cost = {{"name", "lut"}, {"file", "auto"}};
  /// {"name": strategy, and its options}: see search::make_strategy.
  nlohmann::json strategy = {{"name", "evolution"}};
  /// In the cost's unit; empty: the median cost of 200 sampled architectures.
  std::optional<double> cost_budget;
  std::optional<std::int64_t> params_limit;
  std::int64_t evaluations = 3000;
  std::optional<double> seconds;
  /// Candidates per round; empty: the strategy's preferred batch.
  std::optional<std::int64_t> batch;
  std::string objective = "accuracy";
  std::uint64_t seed = 0;
  /// Rounds without improvement before stopping; 0: never.
  std::int64_t early_stop = 0;
  /// Seconds between checkpoints (0: after every round).
  double checkpoint_seconds = 5.0;
  /// The best architecture's accuracy on the test images, and with "measure" its measured latency:
  /// {"supernet": a supernet directory or "auto", "measure"} keeps the supernet's weights (batch norms
  /// recalibrated); {"epochs", "train_subset", "measure"} trains it briefly from scratch; null: neither.
  /// Both read "data" (Fashion-MNIST by default) and "data_dir".
  nlohmann::json final = default_final(space);

  /// Where a supernet is shipped (ofa-fmnist), its accuracy predictor; elsewhere Zen-score.
  [[nodiscard]] static nlohmann::json default_estimator(const std::string& space);
  /// Where a supernet is shipped, the best keeps its weights; elsewhere it is trained for one epoch.
  [[nodiscard]] static nlohmann::json default_final(const std::string& space);

  /// The data the final step trains and tests on: "data" (Fashion-MNIST by default) and "data_dir"
  /// (none by default).
  struct FinalData {
    std::string dataset;
    std::string dir;
  };
  [[nodiscard]] FinalData final_data() const;

  /// ConfigError naming the field for anything malformed, unknown or out of range.
  [[nodiscard]] static SearchConfig from_json(const nlohmann::json& json);
  [[nodiscard]] nlohmann::json to_json() const;
};

/// The parts a configuration names, ready for a Searcher.
struct SearchParts {
  space::AnySpace space;
  estimate::AnyEstimator estimator;
  cost::AnyCost cost;
  search::AnyStrategy strategy;
  search::SearchOptions options;
  /// The cost budget in force (resolved when the configuration left it open).
  double cost_budget;
  /// What the cost is measured in ("ms", "MACs", "params").
  std::string cost_unit;
};

/// Assembles `config`'s parts. A latency table that is not shipped for this
/// machine is profiled into `work_dir` (progress bar unless `quiet`).
[[nodiscard]] SearchParts assemble(const SearchConfig& config, const std::filesystem::path& work_dir, bool quiet);

}  // namespace hwnas::app
