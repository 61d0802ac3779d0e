#pragma once
/// \file
/// Measured latency, the ground truth every latency model is judged by
/// (../shared/spec/latency.md): the network runs with hwnas's own inference
/// engine (evaluation mode, no gradient recording) on this machine, at a
/// fixed thread count; after warm-up runs, each timed run is kept and
/// summarised (median, mean, spread), with the device fingerprint:
///
///     LatencyMeasurement m = measure_latency(*net, Shape{1, 28, 28}, LatencyOptions{}.threads(1));
///     fmt::print("{:.3f} ms on {}\n", m.median_ms, m.device.id());

#include <cstdint>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/core/shape.hpp"
#include "hwnas/cost/concepts.hpp"
#include "hwnas/cost/device.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::cost {

class LatencyOptions {
  /// Images per inference.
  HWNAS_ARG(std::int64_t, batch, 1)
  HWNAS_ARG(std::int64_t, warmup, 5)
  HWNAS_ARG(std::int64_t, runs, 20)
  /// Kernel threads, fixed for the measurement and recorded.
  HWNAS_ARG(int, threads, 1)
};

struct LatencyMeasurement {
  double median_ms = 0.0;
  double mean_ms = 0.0;
  double std_ms = 0.0;
  double min_ms = 0.0;
  double p90_ms = 0.0;
  std::int64_t runs = 0;
  std::int64_t batch = 1;
  Device device;
};

void to_json(nlohmann::json& j, const LatencyMeasurement& m);

/// The latency of `net` on inputs of shape `input` ([C, H, W], or [features]
/// for layers that take flat vectors). ConfigError for options out of range.
[[nodiscard]] LatencyMeasurement measure_latency(nn::Module& net, const Shape& input, const LatencyOptions& options);

/// Measured latency as a `CostModel`: builds each architecture (default
/// initialisation; values do not change the time) and measures it; the
/// cost is the median in ms.
template <space::DescribedSpace Space>
class MeasuredLatency {
 public:
  explicit MeasuredLatency(Space space, LatencyOptions options = {})
      : space_(std::move(space)), options_(options), device_(this_device(options.threads()).id()) {}

  [[nodiscard]] std::string_view name() const { return "measured"; }
  [[nodiscard]] LatencyMeasurement measure(const typename Space::Arch& arch) const {
    auto net = space_.build(arch);
    Rng rng(0);
    nn::init::default_init(*net, rng);
    return measure_latency(*net, space_.summary(arch).front().input, options_);
  }
  [[nodiscard]] Cost cost(const typename Space::Arch& arch) const { return {measure(arch).median_ms, "ms", device_}; }

 private:
  Space space_;
  LatencyOptions options_;
  std::string device_;
};

}  // namespace hwnas::cost
