#include "hwnas/cost/latency_table.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/nn/init.hpp"

namespace hwnas::cost {
namespace {

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

/// `json[name]` as T; ConfigError naming the field otherwise.
template <class T>
T field(const nlohmann::json& json, const std::string& name) {
  HWNAS_CHECK_CONFIG(json.is_object() && json.contains(name), "missing field \"{}\"", name);
  try {
    return json.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw ConfigError(fmt::format("field \"{}\" has the wrong type", name));
  }
}

}  // namespace

LatencyTable::LatencyTable(std::string space, Device device, LatencyOptions protocol)
    : space_(std::move(space)), device_(std::move(device)), protocol_(protocol), created_(utc_now()) {}

const LatencyEntry& LatencyTable::at(const std::string& key) const {
  const auto it = entries_.find(key);
  HWNAS_CHECK_CONFIG(it != entries_.end(), "latency table ({}, {}): no entry for layer '{}'", space_, device_.id(),
                     key);
  return it->second;
}

double LatencyTable::predict(const std::vector<models::LayerSummary>& layers) const {
  double ms = overhead_ms_;
  for (const auto& layer : layers) ms += at(models::layer_key(layer)).median_ms;
  return ms;
}

void LatencyTable::check_matches(std::string_view space, const Device& device, bool force) const {
  check_same_target("latency table", space_, device_, space, device, force);
}

nlohmann::json LatencyTable::to_json() const {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [key, e] : entries_)
    entries[key] = {{"count", e.count}, {"mean_ms", e.mean_ms}, {"median_ms", e.median_ms}, {"std_ms", e.std_ms}};
  return {{"device", device_},
          {"space", space_},
          {"created", created_},
          {"protocol",
           {{"batch", protocol_.batch()}, {"warmup", protocol_.warmup()}, {"runs", protocol_.runs()}}},
          {"overhead_ms", overhead_ms_},
          {"entries", std::move(entries)}};
}

LatencyTable LatencyTable::from_json(const nlohmann::json& json) {
  HWNAS_CHECK_CONFIG(json.is_object(), "latency table: expected a JSON object");
  const auto device = field<Device>(json, "device");
  const auto protocol = field<nlohmann::json>(json, "protocol");
  LatencyTable table(field<std::string>(json, "space"), device,
                     LatencyOptions{}
                         .batch(field<std::int64_t>(protocol, "batch"))
                         .warmup(field<std::int64_t>(protocol, "warmup"))
                         .runs(field<std::int64_t>(protocol, "runs"))
                         .threads(device.threads));
  table.created_ = field<std::string>(json, "created");
  table.overhead_ms_ = field<double>(json, "overhead_ms");
  const auto entries = field<nlohmann::json>(json, "entries");
  HWNAS_CHECK_CONFIG(entries.is_object(), "field \"entries\" must be an object");
  for (const auto& [key, value] : entries.items()) {
    try {
      const LatencyEntry e{field<std::int64_t>(value, "count"), field<double>(value, "mean_ms"),
                           field<double>(value, "median_ms"), field<double>(value, "std_ms")};
      HWNAS_CHECK_CONFIG(e.count >= 1 && e.median_ms >= 0.0 && e.mean_ms >= 0.0 && e.std_ms >= 0.0,
                         "needs count >= 1 and non-negative times");
      table.entries_.emplace(key, e);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("entry '{}': {}", key, e.what()));
    }
  }
  return table;
}

LatencyTable LatencyTable::load(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  try {
    return from_json(nlohmann::json::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    throw IoError(fmt::format("{}: not a latency table: {}", path.string(), e.what()));
  } catch (const ConfigError& e) {
    throw IoError(fmt::format("{}: corrupt latency table: {}", path.string(), e.what()));
  }
}

void LatencyTable::save(const std::filesystem::path& path) const {
  write_file_atomically(path, to_json().dump(1) + "\n");
}

void profile_layers(const std::vector<models::LayerSummary>& layers, LatencyTable& table,
                    const ProfileProgress& progress) {
  const auto total = std::ssize(layers);
  std::int64_t done = 0;
  for (const auto& layer : layers) {
    const std::string key = models::layer_key(layer);
    if (!table.contains(key)) {
      auto net = models::build_layer(layer);
      Rng rng(0);
      nn::init::default_init(*net, rng);
      const LatencyMeasurement m = measure_latency(*net, layer.input, table.protocol());
      table.set(key, {m.runs, m.mean_ms, m.median_ms, m.std_ms});
    }
    ++done;
    if (progress) progress(key, done, total);
  }
}

}  // namespace hwnas::cost
