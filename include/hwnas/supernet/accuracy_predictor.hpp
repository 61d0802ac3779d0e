#pragma once
/// \file
/// The accuracy predictor of Once-for-All (../shared/spec/ofa.md §6): an
/// MLP (3 x 400 ReLU) from the space's encoding to the accuracy a subnet
/// reaches with inherited weights, trained on (subnet, measured accuracy)
/// pairs, so that an estimate costs microseconds. The file names the space
/// and the supernet the accuracies were measured on, and keeps the held-out
/// RMSE and Kendall tau:
///
///     auto fitted = fit_accuracy_predictor(space, pairs, "supernet.ckpt", seed);   // pairs from SupernetAccuracy
///     fitted.save("accuracy-predictor.json");
///     PredictedAccuracy estimator(space, std::make_shared<const AccuracyPredictor>(fitted));

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/predict/arch_regression.hpp"

namespace hwnas::supernet {

/// Once-for-All's predictor shape: three hidden layers of 400.
[[nodiscard]] predict::MlpRegressorOptions accuracy_predictor_options(std::uint64_t seed);

class AccuracyPredictor {
 public:
  AccuracyPredictor(std::string space, std::string supernet, predict::MlpRegressor model,
                    predict::RegressionMetrics held_out, double held_out_tau);

  /// IoError naming the file and what is wrong with it.
  [[nodiscard]] static AccuracyPredictor load(const std::filesystem::path& path);
  /// Written atomically.
  void save(const std::filesystem::path& path) const;

  [[nodiscard]] const std::string& space() const { return space_; }
  /// What the accuracies were measured on (the supernet checkpoint's name).
  [[nodiscard]] const std::string& supernet() const { return supernet_; }
  /// RMSE in accuracy (fractions of 1) and Kendall tau on the held-out tenth.
  [[nodiscard]] const predict::RegressionMetrics& held_out() const { return held_out_; }
  [[nodiscard]] double held_out_tau() const { return held_out_tau_; }
  /// ConfigError when `encoding` has another length than the model's input.
  [[nodiscard]] double predict(std::span<const float> encoding) const { return model_.predict(encoding); }

 private:
  std::string space_;
  std::string supernet_;
  predict::MlpRegressor model_;
  predict::RegressionMetrics held_out_;
  double held_out_tau_;
};

/// Kendall's tau of the held-out predictions, NaN when it is undefined (fewer than two pairs, constant values).
[[nodiscard]] double held_out_kendall_tau(std::span<const double> predicted, std::span<const double> measured);

/// Fits the predictor on (subnet, accuracy) pairs of `space`, split 80/10/10
/// by `seed`. ConfigError for fewer than 10 pairs.
template <space::SearchSpace Space>
[[nodiscard]] AccuracyPredictor fit_accuracy_predictor(
    const Space& space, const std::vector<std::pair<typename Space::Arch, double>>& pairs, std::string supernet,
    std::uint64_t seed, const predict::MlpRegressorOptions& options) {
  auto fit = predict::fit_arch_regressor(space, pairs, options, seed, "fit_accuracy_predictor", "scored");
  std::vector<double> measured;
  for (const auto i : fit.test) measured.push_back(pairs[i].second);
  const double tau = held_out_kendall_tau(fit.test_predicted, measured);
  return {std::string(space.name()), std::move(supernet), std::move(fit.model), fit.held_out, tau};
}

/// The predictor as an `AccuracyEstimator`.
template <space::SearchSpace Space>
class PredictedAccuracy {
 public:
  /// ConfigError for a predictor of another space.
  PredictedAccuracy(Space space, std::shared_ptr<const AccuracyPredictor> predictor)
      : space_(std::move(space)), predictor_(std::move(predictor)) {
    HWNAS_CHECK_CONFIG(predictor_ != nullptr && predictor_->space() == space_.name(),
                       "accuracy predictor: made for space '{}', not '{}'", predictor_ ? predictor_->space() : "?",
                       space_.name());
  }

  [[nodiscard]] std::string_view name() const { return "predictor"; }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] estimate::Estimate estimate(const typename Space::Arch& arch) const {
    const auto start = std::chrono::steady_clock::now();
    estimate::Estimate e;
    e.value = predictor_->predict(space_.encode(arch));
    e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return e;
  }

 private:
  Space space_;
  std::shared_ptr<const AccuracyPredictor> predictor_;
};

}  // namespace hwnas::supernet
