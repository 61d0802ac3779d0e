#pragma once
// The accuracy estimators a search configuration names (docs/search.md):
// the zero-cost proxies, Once-for-All's predictor and supernet, and training
// from scratch.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::app {

/// The estimator `json` ({"name": ..., options}) describes over `space`,
/// seeded by `seed`; ConfigError naming the field for anything malformed.
[[nodiscard]] estimate::AnyEstimator make_estimator(const nlohmann::json& json, const space::AnySpace& space,
                                                    std::uint64_t seed);

}  // namespace hwnas::app
