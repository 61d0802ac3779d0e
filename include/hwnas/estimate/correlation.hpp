#pragma once
/// \file
/// Rank correlation of estimates with ground truth, computed the way
/// scipy.stats does it, so that figures compare with the literature:
///
/// - `kendall_tau`: Kendall's tau-b, which corrects for ties in either
///   variable (scipy.stats.kendalltau's default);
/// - `spearman_rho`: the Pearson correlation of the ranks, tied values
///   getting the average of their ranks (scipy.stats.spearmanr);
/// - `bootstrap_interval`: a percentile bootstrap confidence interval of
///   either, resampling pairs with a seeded generator.
///
/// Both return NaN when a variable is constant (the correlation is
/// undefined), as scipy does.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "hwnas/core/random.hpp"

namespace hwnas::estimate {

/// Kendall's tau-b of the pairs (x[i], y[i]); ConfigError unless the lengths
/// match and there are at least 2 pairs. O(n log n).
[[nodiscard]] double kendall_tau(std::span<const double> x, std::span<const double> y);

/// Spearman's rho of the pairs (x[i], y[i]); ConfigError as for kendall_tau.
[[nodiscard]] double spearman_rho(std::span<const double> x, std::span<const double> y);

/// The ranks of `values` (1-based), ties getting the mean of their ranks.
[[nodiscard]] std::vector<double> average_ranks(std::span<const double> values);

using Correlation = std::function<double(std::span<const double>, std::span<const double>)>;

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

/// The central `level` (e.g. 0.95) percentile interval of `statistic` over
/// `resamples` bootstrap resamples of the pairs, drawn from `rng`.
/// Resamples where the statistic is undefined (NaN) are left out.
[[nodiscard]] Interval bootstrap_interval(std::span<const double> x, std::span<const double> y,
                                          const Correlation& statistic, Rng& rng, std::int64_t resamples = 1000,
                                          double level = 0.95);

}  // namespace hwnas::estimate
