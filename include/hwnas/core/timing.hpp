#pragma once
/// \file
/// Timing a piece of work the way benchmarks and latency measurements need
/// it: warm-up runs first (caches, buffer pools, thread wake-up), then each
/// timed run separately, summarised by robust statistics, since single
/// timings on a shared machine are noisy:
///
///     const TimingSummary t = time_runs([&] { net(x); }, {.warmup = 5, .runs = 20});
///     fmt::print("{:.3f} ms (p90 {:.3f})\n", t.median_ms, t.p90_ms);

#include <chrono>
#include <cstdint>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/statistics.hpp"

namespace hwnas {

struct TimingOptions {
  std::int64_t warmup = 5;
  std::int64_t runs = 20;
};

struct TimingSummary {
  double median_ms = 0.0;
  double p90_ms = 0.0;
  double min_ms = 0.0;
  double max_ms = 0.0;
  std::vector<double> runs_ms;
};

/// Summarises the timings `runs_ms`.
[[nodiscard]] TimingSummary summarize_timings(std::vector<double> runs_ms);

/// Runs `work` `options.warmup` times untimed, then `options.runs` times
/// timed one by one. ConfigError unless runs >= 1 and warmup >= 0.
template <class Work>
TimingSummary time_runs(Work&& work, const TimingOptions& options = {}) {
  HWNAS_CHECK_CONFIG(options.runs >= 1 && options.warmup >= 0,
                     "time_runs: needs runs >= 1 and warmup >= 0, got {} and {}", options.runs, options.warmup);
  for (std::int64_t i = 0; i < options.warmup; ++i) work();
  std::vector<double> runs_ms;
  runs_ms.reserve(static_cast<std::size_t>(options.runs));
  for (std::int64_t i = 0; i < options.runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    runs_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return summarize_timings(std::move(runs_ms));
}

}  // namespace hwnas
