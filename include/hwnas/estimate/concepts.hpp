#pragma once
/// \file
/// `AccuracyEstimator<Space>`: anything that maps an architecture of `Space`
/// to a number ranking architectures by expected accuracy (higher is
/// better), and reports what the estimate cost, so that searches with
/// different estimators can be compared by cost:
///
///     Estimate e = estimator.estimate(arch);   // e.value, e.cost.seconds, ...
///
/// Estimators that need a warm-up (training a supernet or a hypernetwork)
/// do it in their own `prepare`; the concept asks only for `estimate` and a
/// name.

#include <concepts>
#include <cstdint>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/space/concepts.hpp"

namespace hwnas::estimate {

/// What producing an estimate took.
struct EstimateCost {
  double seconds = 0.0;
  /// Forward and backward passes through a network, and training images seen.
  std::int64_t forward_passes = 0;
  std::int64_t backward_passes = 0;
  std::int64_t images = 0;
  friend bool operator==(const EstimateCost&, const EstimateCost&) = default;
};

struct Estimate {
  /// Higher means more accurate expected; NaN when the estimator could not
  /// produce a number (documented per estimator).
  double value = 0.0;
  EstimateCost cost;
};

void to_json(nlohmann::json& j, const EstimateCost& cost);
void to_json(nlohmann::json& j, const Estimate& estimate);

template <class E, class Space>
concept AccuracyEstimator = space::SearchSpace<Space> && requires(E& estimator, const typename Space::Arch& arch) {
  { estimator.estimate(arch) } -> std::same_as<Estimate>;
  { estimator.name() } -> std::convertible_to<std::string_view>;
};

}  // namespace hwnas::estimate
