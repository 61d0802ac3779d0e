#include "hwnas/core/timing.hpp"

#include <algorithm>
#include <cmath>

namespace hwnas {

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
