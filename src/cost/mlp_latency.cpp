#include "hwnas/cost/mlp_latency.hpp"

#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/predict/predictor_file.hpp"

namespace hwnas::cost {

LatencyPredictor::LatencyPredictor(std::string space, Device device, predict::MlpRegressor model,
                                   predict::RegressionMetrics held_out)
    : space_(std::move(space)), device_(std::move(device)), model_(std::move(model)), held_out_(held_out) {}

void LatencyPredictor::save(const std::filesystem::path& path) const {
  const nlohmann::json j{{"kind", "latency-mlp"}, {"space", space_},           {"device", device_},
                         {"held_out", held_out_}, {"model", model_.to_json()}};
  write_file_atomically(path, j.dump() + "\n");
}

LatencyPredictor LatencyPredictor::load(const std::filesystem::path& path) {
  return predict::load_predictor_file(path, "latency-mlp", "latency predictor", [](const nlohmann::json& j) {
    return LatencyPredictor(j.at("space").get<std::string>(), j.at("device").get<Device>(),
                            predict::MlpRegressor::from_json(j.at("model")),
                            j.at("held_out").get<predict::RegressionMetrics>());
  });
}

}  // namespace hwnas::cost
