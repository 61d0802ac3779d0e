#pragma once
/// \file
/// `MlpRegressor`: a multi-layer perceptron (ReLU hidden layers) from an
/// architecture's encoding to one number, as HAT predicts latency and
/// Once-for-All accuracy. Inputs and targets are standardised with
/// statistics kept in the model; training is Adam on the mean squared error
/// with the weights of the epoch with the lowest validation error kept;
/// prediction is plain matrix-vector products (microseconds, no autograd):
///
///     MlpRegressor model = MlpRegressor::fit(train_x, train_y, val_x, val_y, MlpRegressorOptions{});
///     double y = model.predict(space.encode(arch));
///     write_file_atomically(path, model.to_json().dump());

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/arg.hpp"

namespace hwnas::predict {

class MlpRegressorOptions {
  /// Widths of the hidden layers.
  HWNAS_ARG(std::vector<std::int64_t>, hidden, (std::vector<std::int64_t>{128, 128, 128}))
  HWNAS_ARG(std::int64_t, epochs, 200)
  HWNAS_ARG(std::int64_t, batch_size, 64)
  HWNAS_ARG(double, lr, 1e-3)
  HWNAS_ARG(double, weight_decay, 0.0)
  /// Seeds the initialisation and the batch order.
  HWNAS_ARG(std::uint64_t, seed, 0)
};

/// How close predictions are to measurements, the nn-Meter convention:
/// RMSE, RMSE relative to the mean measurement, and the share of
/// predictions within +-10% of the measurement.
struct RegressionMetrics {
  std::int64_t n = 0;
  double rmse = 0.0;
  double relative_rmse = 0.0;
  double within_10_percent = 0.0;
};

/// ConfigError for empty or unequal lengths.
[[nodiscard]] RegressionMetrics regression_metrics(std::span<const double> predicted, std::span<const double> measured);

void to_json(nlohmann::json& j, const RegressionMetrics& m);
void from_json(const nlohmann::json& j, RegressionMetrics& m);

class MlpRegressor {
 public:
  using Features = std::vector<std::vector<float>>;

  /// ConfigError for empty sets, features of unequal lengths, or sizes
  /// that do not match their targets.
  [[nodiscard]] static MlpRegressor fit(const Features& x, std::span<const double> y, const Features& val_x,
                                        std::span<const double> val_y, const MlpRegressorOptions& options);

  /// ConfigError when `features` has another length than the model's input.
  [[nodiscard]] double predict(std::span<const float> features) const;
  [[nodiscard]] std::int64_t input_size() const { return feature_mean_.size(); }

  [[nodiscard]] nlohmann::json to_json() const;
  /// ConfigError naming what is malformed.
  [[nodiscard]] static MlpRegressor from_json(const nlohmann::json& json);

 private:
  Eigen::VectorXf feature_mean_;
  Eigen::VectorXf feature_scale_;  ///< 1 / standard deviation (1 for constant features).
  double target_mean_ = 0.0;
  double target_std_ = 1.0;
  std::vector<Eigen::MatrixXf> weights_;  ///< [out, in] per layer.
  std::vector<Eigen::VectorXf> biases_;
};

}  // namespace hwnas::predict
