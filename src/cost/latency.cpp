#include "hwnas/cost/latency.hpp"

#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>

#include <nlohmann/json.hpp>

#include "hwnas/core/parallel.hpp"
#include "hwnas/core/timing.hpp"

namespace hwnas::cost {

void to_json(nlohmann::json& j, const Cost& cost) {
  j = {{"value", cost.value}, {"unit", cost.unit}, {"device", cost.device}};
}

void to_json(nlohmann::json& j, const LatencyMeasurement& m) {
  j = {{"median_ms", m.median_ms}, {"mean_ms", m.mean_ms}, {"std_ms", m.std_ms}, {"min_ms", m.min_ms},
       {"p90_ms", m.p90_ms},       {"runs", m.runs},       {"batch", m.batch},   {"device", m.device}};
}

LatencyMeasurement measure_latency(nn::Module& net, const Shape& input, const LatencyOptions& options) {
  HWNAS_CHECK_CONFIG(options.batch() >= 1 && options.threads() >= 1,
                     "measure_latency: batch and threads must be >= 1, got {} and {}", options.batch(),
                     options.threads());
  std::vector<std::int64_t> dims{options.batch()};
  dims.insert(dims.end(), input.dims().begin(), input.dims().end());
  const Variable x(Tensor(Shape(dims), 0.5F));
  ThreadCountGuard threads(options.threads());
  NoGradGuard no_grad;
  net.eval();
  const auto infer = [&] { (void)net(x); };
  // An idle core takes a while to reach its full clock (on the virtual machine
  // of docs/latency.md, about 0.2 s in which timings run 40% slow): the first
  // measurement of a process keeps it busy for half a second first.
  static std::once_flag ramp_up;
  std::call_once(ramp_up, [&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < until) infer();
  });
  const TimingSummary t = time_runs(infer, TimingOptions{.warmup = options.warmup(), .runs = options.runs()});
  LatencyMeasurement m;
  m.median_ms = t.median_ms;
  m.min_ms = t.min_ms;
  m.p90_ms = t.p90_ms;
  m.runs = std::ssize(t.runs_ms);
  m.mean_ms = std::accumulate(t.runs_ms.begin(), t.runs_ms.end(), 0.0) / static_cast<double>(m.runs);
  double squares = 0.0;
  for (const double r : t.runs_ms) squares += (r - m.mean_ms) * (r - m.mean_ms);
  m.std_ms = m.runs > 1 ? std::sqrt(squares / static_cast<double>(m.runs - 1)) : 0.0;
  m.batch = options.batch();
  m.device = this_device(options.threads());
  return m;
}

}  // namespace hwnas::cost
