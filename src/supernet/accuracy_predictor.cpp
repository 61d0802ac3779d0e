#include "hwnas/supernet/accuracy_predictor.hpp"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/estimate/correlation.hpp"
#include "hwnas/predict/predictor_file.hpp"

namespace hwnas::supernet {

predict::MlpRegressorOptions accuracy_predictor_options(std::uint64_t seed) {
  return predict::MlpRegressorOptions{}.hidden({400, 400, 400}).seed(seed);
}

double held_out_kendall_tau(std::span<const double> predicted, std::span<const double> measured) {
  try {
    return estimate::kendall_tau(predicted, measured);
  } catch (const ConfigError&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

AccuracyPredictor::AccuracyPredictor(std::string space, std::string supernet, predict::MlpRegressor model,
                                     predict::RegressionMetrics held_out, double held_out_tau)
    : space_(std::move(space)),
      supernet_(std::move(supernet)),
      model_(std::move(model)),
      held_out_(held_out),
      held_out_tau_(held_out_tau) {}

void AccuracyPredictor::save(const std::filesystem::path& path) const {
  const nlohmann::json j{{"kind", "accuracy-mlp"},
                         {"space", space_},
                         {"supernet", supernet_},
                         {"held_out", held_out_},
                         {"held_out_tau", std::isnan(held_out_tau_) ? nlohmann::json() : nlohmann::json(held_out_tau_)},
                         {"model", model_.to_json()}};
  write_file_atomically(path, j.dump() + "\n");
}

AccuracyPredictor AccuracyPredictor::load(const std::filesystem::path& path) {
  return predict::load_predictor_file(path, "accuracy-mlp", "accuracy predictor", [](const nlohmann::json& j) {
    const auto& tau = j.at("held_out_tau");
    return AccuracyPredictor(j.at("space").get<std::string>(), j.at("supernet").get<std::string>(),
                             predict::MlpRegressor::from_json(j.at("model")),
                             j.at("held_out").get<predict::RegressionMetrics>(),
                             tau.is_null() ? std::numeric_limits<double>::quiet_NaN() : tau.get<double>());
  });
}

}  // namespace hwnas::supernet
