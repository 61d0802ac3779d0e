#pragma once
/// \file
/// `SearchStrategy<Space>`: how a search chooses what to evaluate next,
/// through an ask/tell interface, so that the Searcher (which owns the
/// estimator, the cost model and the constraints) drives any strategy alike
/// and can evaluate a batch of candidates in parallel:
///
///     auto archs = strategy.ask(16);                 // candidates to evaluate
///     strategy.tell(archs, evaluations);             // one Evaluation per candidate
///     nlohmann::json saved = strategy.state();       // everything needed to resume
///     other.restore(saved);                          // continues exactly where `strategy` was
///
/// Strategies draw all randomness from their seed through `derive_seed`, per
/// candidate or generation, so a restored strategy asks for the same
/// candidates the original would have.

#include <concepts>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/space/concepts.hpp"

namespace hwnas::search {

/// What a strategy learns about one evaluated candidate.
struct Evaluation {
  /// The accuracy estimate (higher is better).
  double accuracy = 0.0;
  /// The cost (lower is better), e.g. latency in ms.
  double cost = 0.0;
  /// Whether the candidate meets every constraint of the search.
  bool feasible = true;
  friend bool operator==(const Evaluation&, const Evaluation&) = default;
};

template <class S, class Space>
concept SearchStrategy =
    space::SearchSpace<Space> &&
    requires(S& strategy, const S& cs, std::int64_t n, const std::vector<typename Space::Arch>& archs,
             const std::vector<Evaluation>& evaluations, const nlohmann::json& json) {
      { cs.name() } -> std::convertible_to<std::string_view>;
      { strategy.ask(n) } -> std::same_as<std::vector<typename Space::Arch>>;
      strategy.tell(archs, evaluations);
      { cs.state() } -> std::same_as<nlohmann::json>;
      strategy.restore(json);
    };

}  // namespace hwnas::search
