#include "hwnas/core/timing.hpp"

#include <algorithm>
#include <cmath>

namespace hwnas {

double quantile(std::vector<double> values, double q) {
  HWNAS_CHECK_CONFIG(!values.empty(), "quantile: no values");
  HWNAS_CHECK_CONFIG(q >= 0.0 && q <= 1.0, "quantile: q must be in [0, 1], got {}", q);
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

TimingSummary summarize_timings(std::vector<double> runs_ms) {
  HWNAS_CHECK_CONFIG(!runs_ms.empty(), "summarize_timings: no timings");
  TimingSummary s;
  s.median_ms = quantile(runs_ms, 0.5);
  s.p90_ms = quantile(runs_ms, 0.9);
  const auto [lo, hi] = std::minmax_element(runs_ms.begin(), runs_ms.end());
  s.min_ms = *lo;
  s.max_ms = *hi;
  s.runs_ms = std::move(runs_ms);
  return s;
}

}  // namespace hwnas
