#pragma once
/// \file
/// `Evaluated<Arch>`: a candidate with its evaluation, what population-based
/// strategies keep and save, and the pieces they share to save and resume
/// it (failed evaluations included: a NaN is saved as JSON null).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/search/concepts.hpp"

namespace hwnas::search {

/// One candidate and what its evaluation found.
template <class Arch>
struct Evaluated {
  Arch arch;
  Evaluation evaluation;
  friend bool operator==(const Evaluated&, const Evaluated&) = default;
};

namespace detail {

/// How many times in all a strategy breeds a candidate that repeats a parent
/// before it takes the repeat: enough that repeats are rare, bounded because
/// some parents have no other child (a mutation probability of 0).
inline constexpr int max_breeding_tries = 16;

/// The accuracy as compared: NaN as the worst value.
[[nodiscard]] inline double ranked_accuracy(const Evaluation& e) {
  return std::isnan(e.accuracy) ? -std::numeric_limits<double>::infinity() : e.accuracy;
}
/// The cost as compared: NaN as the worst value.
[[nodiscard]] inline double ranked_cost(const Evaluation& e) {
  return std::isnan(e.cost) ? std::numeric_limits<double>::infinity() : e.cost;
}

/// JSON has no NaN: nlohmann writes it as null, read back here as NaN.
[[nodiscard]] inline double number_or_nan(const nlohmann::json& json) {
  return json.is_null() ? std::numeric_limits<double>::quiet_NaN() : json.get<double>();
}

template <space::SearchSpace Space>
[[nodiscard]] nlohmann::json members_to_json(const Space& space, const auto& members) {
  nlohmann::json out = nlohmann::json::array();
  for (const Evaluated<typename Space::Arch>& m : members)
    out.push_back({{"arch", space.to_json(m.arch)},
                   {"accuracy", m.evaluation.accuracy},
                   {"cost", m.evaluation.cost},
                   {"feasible", m.evaluation.feasible}});
  return out;
}

template <space::SearchSpace Space>
[[nodiscard]] std::vector<Evaluated<typename Space::Arch>> members_from_json(const Space& space,
                                                                            const nlohmann::json& json) {
  std::vector<Evaluated<typename Space::Arch>> out;
  for (const auto& m : json)
    out.push_back({space.from_json(m.at("arch")),
                   {number_or_nan(m.at("accuracy")), number_or_nan(m.at("cost")), m.at("feasible").get<bool>()}});
  return out;
}

/// ConfigError unless `state` was saved by strategy `name` with `seed`:
/// another strategy's or seed's candidates would not continue this run.
inline void check_resumable(const nlohmann::json& state, std::string_view name, std::uint64_t seed) {
  const auto saved_name = state.value("strategy", std::string("?"));
  HWNAS_CHECK_CONFIG(saved_name == name && state.value("seed", seed + 1) == seed,
                     "{}: cannot resume from state of strategy '{}' with seed {}, expected '{}' with seed {}", name,
                     saved_name, state.value("seed", nlohmann::json()).dump(), name, seed);
}

}  // namespace detail
}  // namespace hwnas::search
