#pragma once
// The HTML report of a search run (`hwnas search` writes it as DIR/report.html):
// one self-contained page with the run's summary, the accuracy-cost scatter
// with the Pareto front, convergence per round, the best architecture as a
// block diagram with its layer table, the final training result and the
// configuration. Inline CSS and SVG only: it opens anywhere, offline.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/models/summary.hpp"

namespace hwnas::app {

/// What the report shows. A record is one line of history.jsonl:
/// `{"index": 0, "round": 0, "arch": {...}, "accuracy": 12.3 (null when the
/// estimator gave NaN), "cost": 0.84, "params": 123456, "feasible": true,
/// "seconds": 0.01}`; "round" is the ask/tell round (the generation of an
/// evolution strategy).
struct ReportInput {
  /// e.g. "hwnas search: ofa-fmnist, zen, lut".
  std::string title;
  /// The run's configuration (an object), shown as a table with nested keys
  /// flattened to "a.b". A number under "wall_seconds" appears in the summary.
  nlohmann::json config;
  /// Every evaluated candidate, in order.
  std::vector<nlohmann::json> history;
  /// The Pareto front (feasible, non-dominated), cost ascending.
  std::vector<nlohmann::json> pareto;
  /// The best feasible record, or null when none was feasible.
  nlohmann::json best;
  /// Axis label of the accuracy estimate, e.g. "Zen-score".
  std::string accuracy_name;
  /// Unit of the cost, e.g. "ms".
  std::string cost_unit;
  /// The cost constraint, drawn as a vertical dashed line.
  std::optional<double> cost_budget;
  /// The layers of the best architecture.
  std::vector<models::LayerSummary> best_layers;
  /// null, or `{"test_acc": .., "measured_ms": .., "predicted_ms": ..,
  /// "train_seconds": .., "epochs": ..}` (test_acc as a fraction).
  nlohmann::json final;
};

/// The report as one HTML document: inline CSS and SVG only, no scripts and
/// no links to anything outside it. Missing or odd data (no candidates, no
/// feasible one, null accuracies, equal costs, one round) renders with a
/// note saying so instead of failing.
[[nodiscard]] std::string render_report(const ReportInput& input);

/// The search's progress in one round.
struct RoundProgress {
  std::int64_t round = 0;
  /// Candidates evaluated in this round, and how many of them were feasible.
  std::int64_t evaluated = 0;
  std::int64_t feasible = 0;
  /// The best accuracy of a feasible candidate in this round or before;
  /// empty until the first feasible candidate with an accuracy.
  std::optional<double> best_so_far;
  /// The median accuracy of this round's feasible candidates; empty when
  /// none has an accuracy.
  std::optional<double> median;
};

/// Per round, ascending (rounds that no record names are absent): the
/// curve the convergence plot draws. Records without a finite accuracy
/// count as evaluated but not for the accuracies.
[[nodiscard]] std::vector<RoundProgress> convergence(const std::vector<nlohmann::json>& history);

}  // namespace hwnas::app
