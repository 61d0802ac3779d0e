#include "hwnas/cost/mlp_latency.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"

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
  const std::string text = read_file(path);
  try {
    const auto j = nlohmann::json::parse(text);
    HWNAS_CHECK_CONFIG(j.is_object() && j.value("kind", "") == "latency-mlp", "not a latency predictor");
    return {j.at("space").get<std::string>(), j.at("device").get<Device>(),
            predict::MlpRegressor::from_json(j.at("model")), j.at("held_out").get<predict::RegressionMetrics>()};
  } catch (const nlohmann::json::exception& e) {
    throw IoError(fmt::format("{}: not a latency predictor: {}", path.string(), e.what()));
  } catch (const ConfigError& e) {
    throw IoError(fmt::format("{}: corrupt latency predictor: {}", path.string(), e.what()));
  }
}

}  // namespace hwnas::cost
