#pragma once
/// \file
/// `Candidate`: one evaluated architecture as the Searcher records it, and
/// its JSON form, which is one line of `history.jsonl`:
///
///     {"index": 7, "round": 0, "arch": {...}, "accuracy": 41.2, "cost": 0.84, "unit": "ms",
///      "params": 123456, "feasible": true, "cached": false, "seconds": 0.09}
///
/// `accuracy` is null when it was not estimated (the candidate broke a
/// constraint first) or the estimator gave no number.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/search/concepts.hpp"

namespace hwnas::search {

template <class Arch>
struct Candidate {
  /// Position in the search's history.
  std::int64_t index = 0;
  /// The ask/tell round that proposed it (the generation, for evolution).
  std::int64_t round = 0;
  Arch arch;
  /// The accuracy estimate; NaN when not estimated.
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  double cost = 0.0;
  std::string unit;
  std::int64_t params = 0;
  bool feasible = false;
  /// Whether an earlier candidate with the same network supplied the figures.
  bool cached = false;
  /// Time spent estimating and costing it (0 when cached).
  double seconds = 0.0;

  /// Whether it meets the constraints and has an accuracy estimate to rank by.
  [[nodiscard]] bool ranked() const { return feasible && std::isfinite(accuracy); }
  /// What the strategy learns: unestimated accuracies rank below every number.
  [[nodiscard]] Evaluation evaluation() const {
    return {std::isnan(accuracy) ? -std::numeric_limits<double>::infinity() : accuracy, cost, feasible};
  }
  /// Equal in every field; unestimated (NaN) accuracies count as equal.
  friend bool operator==(const Candidate& a, const Candidate& b) {
    const bool same_accuracy = a.accuracy == b.accuracy || (std::isnan(a.accuracy) && std::isnan(b.accuracy));
    return same_accuracy && a.index == b.index && a.round == b.round && a.arch == b.arch && a.cost == b.cost &&
           a.unit == b.unit && a.params == b.params && a.feasible == b.feasible && a.cached == b.cached &&
           a.seconds == b.seconds;
  }
};

template <class Space>
[[nodiscard]] nlohmann::json candidate_json(const Space& space, const Candidate<typename Space::Arch>& c) {
  return {{"index", c.index},
          {"round", c.round},
          {"arch", space.to_json(c.arch)},
          {"accuracy", std::isfinite(c.accuracy) ? nlohmann::json(c.accuracy) : nlohmann::json(nullptr)},
          {"cost", c.cost},
          {"unit", c.unit},
          {"params", c.params},
          {"feasible", c.feasible},
          {"cached", c.cached},
          {"seconds", c.seconds}};
}

/// ConfigError (naming the field) for a record that is not a candidate of `space`.
template <class Space>
[[nodiscard]] Candidate<typename Space::Arch> candidate_from_json(const Space& space, const nlohmann::json& json) {
  try {
    Candidate<typename Space::Arch> c;
    c.index = json.at("index").get<std::int64_t>();
    c.round = json.at("round").get<std::int64_t>();
    c.arch = space.from_json(json.at("arch"));
    if (!json.at("accuracy").is_null()) c.accuracy = json.at("accuracy").get<double>();
    c.cost = json.at("cost").get<double>();
    c.unit = json.at("unit").get<std::string>();
    c.params = json.at("params").get<std::int64_t>();
    c.feasible = json.at("feasible").get<bool>();
    c.cached = json.at("cached").get<bool>();
    c.seconds = json.at("seconds").get<double>();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("search history: not a candidate record ({})", e.what()));
  }
}

}  // namespace hwnas::search
