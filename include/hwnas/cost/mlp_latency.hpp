#pragma once
/// \file
/// The network-wise latency predictor (HAT-style): an `MlpRegressor` from
/// the space's architecture encoding to latency in ms, trained on latencies
/// measured on the target. A predictor file records the space, the device
/// fingerprint and the held-out metrics; one made for another space, or
/// another device unless forced, is refused:
///
///     auto measured = ...;                                  // (arch, ms) pairs measured on this device
///     FittedLatency fitted = fit_latency_predictor(space, measured, device, MlpRegressorOptions{}, seed);
///     fitted.predictor.save(path);
///     MlpLatency<decltype(space)> mlp(space, std::make_shared<const LatencyPredictor>(fitted.predictor));

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwnas/core/random.hpp"
#include "hwnas/cost/concepts.hpp"
#include "hwnas/cost/device.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/predict/arch_regression.hpp"
#include "hwnas/predict/mlp_regressor.hpp"

namespace hwnas::cost {

class LatencyPredictor {
 public:
  LatencyPredictor(std::string space, Device device, predict::MlpRegressor model,
                   predict::RegressionMetrics held_out);

  /// IoError naming the file and what is wrong with it.
  [[nodiscard]] static LatencyPredictor load(const std::filesystem::path& path);
  /// Written atomically.
  void save(const std::filesystem::path& path) const;

  [[nodiscard]] const std::string& space() const { return space_; }
  [[nodiscard]] const Device& device() const { return device_; }
  [[nodiscard]] const predict::RegressionMetrics& held_out() const { return held_out_; }
  [[nodiscard]] double predict(std::span<const float> encoding) const { return model_.predict(encoding); }
  void check_matches(std::string_view space, const Device& device, bool force) const {
    check_same_target("latency predictor", space_, device_, space, device, force);
  }

 private:
  std::string space_;
  Device device_;
  predict::MlpRegressor model_;
  predict::RegressionMetrics held_out_;
};

/// A predictor with the split it was judged on.
struct FittedLatency {
  LatencyPredictor predictor;
  /// Indices into the measurements: 80% trained on, 10% chose the epoch, 10% held out.
  std::vector<std::size_t> train, validation, test;
};

/// Fits a predictor on `measured` (architecture, median ms) pairs of `space`
/// measured on `device`, split 80/10/10 by `seed`, and judges it on the held-out tenth.
/// ConfigError for fewer than 10 measurements.
template <space::SearchSpace Space>
[[nodiscard]] FittedLatency fit_latency_predictor(const Space& space,
                                                  const std::vector<std::pair<typename Space::Arch, double>>& measured,
                                                  const Device& device, const predict::MlpRegressorOptions& options,
                                                  std::uint64_t seed) {
  auto fit = predict::fit_arch_regressor(space, measured, options, seed, "fit_latency_predictor", "measured");
  return {LatencyPredictor(std::string(space.name()), device, std::move(fit.model), fit.held_out),
          std::move(fit.train), std::move(fit.validation), std::move(fit.test)};
}

/// A latency predictor as a `CostModel`.
template <space::SearchSpace Space>
class MlpLatency {
 public:
  /// ConfigError for a predictor of another space or, unless `force`, another device.
  MlpLatency(Space space, std::shared_ptr<const LatencyPredictor> predictor, bool force = false)
      : space_(std::move(space)), predictor_(std::move(predictor)) {
    HWNAS_CHECK_CONFIG(predictor_ != nullptr, "MlpLatency: no predictor");
    predictor_->check_matches(space_.name(), this_device(predictor_->device().threads), force);
  }

  [[nodiscard]] std::string_view name() const { return "mlp"; }
  /// Concurrent calls are safe: the Searcher may evaluate candidates on the thread pool.
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] Cost cost(const typename Space::Arch& arch) const {
    return {predictor_->predict(space_.encode(arch)), "ms", predictor_->device().id()};
  }

 private:
  Space space_;
  std::shared_ptr<const LatencyPredictor> predictor_;
};

}  // namespace hwnas::cost
