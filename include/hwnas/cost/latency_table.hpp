#pragma once
/// \file
/// Layer-wise latency lookup tables, as ProxylessNAS and Once-for-All build
/// them (../shared/spec/latency.md): every distinct layer the space can
/// produce is timed alone on the target device; an architecture's latency is
/// the sum of its layers' entries plus a per-inference overhead fitted on
/// whole networks. A key the table lacks is an error naming the key, never a
/// silent zero. The file records the device fingerprint and the space, and
/// a table made for another space, or another device unless forced, is
/// refused:
///
///     LatencyTable table(space.name(), this_device(1), LatencyOptions{});
///     profile_layers(distinct_layers(space), table, options, [&](auto& key, auto done, auto total) {
///       table.save(path);                                  // atomically: a killed run resumes
///     });
///     fit_overhead(space, table, sampled_archs, options);
///     LutLatency<decltype(space)> lut(space, std::make_shared<const LatencyTable>(table));
///     Cost c = lut.cost(arch);                             // ms

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/statistics.hpp"
#include "hwnas/cost/latency.hpp"
#include "hwnas/models/layers.hpp"
#include "hwnas/models/summary.hpp"

namespace hwnas::cost {

struct LatencyEntry {
  std::int64_t count = 0;
  double mean_ms = 0.0;
  double median_ms = 0.0;
  double std_ms = 0.0;
  friend bool operator==(const LatencyEntry&, const LatencyEntry&) = default;
};

class LatencyTable {
 public:
  LatencyTable(std::string space, Device device, LatencyOptions protocol);

  /// IoError naming the file and what is wrong with it (unreadable, not
  /// JSON, a missing or mistyped field, a negative time).
  [[nodiscard]] static LatencyTable load(const std::filesystem::path& path);
  /// Written atomically.
  void save(const std::filesystem::path& path) const;
  [[nodiscard]] static LatencyTable from_json(const nlohmann::json& json);
  [[nodiscard]] nlohmann::json to_json() const;

  [[nodiscard]] const std::string& space() const { return space_; }
  [[nodiscard]] const Device& device() const { return device_; }
  [[nodiscard]] const LatencyOptions& protocol() const { return protocol_; }
  [[nodiscard]] const std::unordered_map<std::string, LatencyEntry>& entries() const { return entries_; }

  [[nodiscard]] bool contains(const std::string& key) const { return entries_.contains(key); }
  void set(const std::string& key, const LatencyEntry& entry) { entries_[key] = entry; }
  /// ConfigError naming the key when the table lacks it.
  [[nodiscard]] const LatencyEntry& at(const std::string& key) const;

  /// What a whole inference costs beyond its layers (fitted, may be negative).
  [[nodiscard]] double overhead_ms() const { return overhead_ms_; }
  void set_overhead_ms(double ms) { overhead_ms_ = ms; }

  /// Sum of the layers' median entries plus the overhead.
  [[nodiscard]] double predict(const std::vector<models::LayerSummary>& layers) const;

  /// ConfigError unless the table was made for space `space` and, unless
  /// `force`, on `device`.
  void check_matches(std::string_view space, const Device& device, bool force) const;

 private:
  std::string space_;
  Device device_;
  LatencyOptions protocol_;
  std::string created_;
  double overhead_ms_ = 0.0;
  std::unordered_map<std::string, LatencyEntry> entries_;  // written sorted (JSON objects are)
};

/// A space that can name architectures whose layers, together, are every
/// distinct layer it can produce (`layer_cover()`).
template <class S>
concept LayerwiseSpace = space::DescribedSpace<S> && requires(const S& space) {
  { space.layer_cover() } -> std::same_as<std::vector<typename S::Arch>>;
};

/// Every distinct layer of `space`, one row per key, in a fixed order.
template <LayerwiseSpace Space>
[[nodiscard]] std::vector<models::LayerSummary> distinct_layers(const Space& space) {
  std::map<std::string, models::LayerSummary> rows;
  for (const auto& arch : space.layer_cover())
    for (auto& row : space.summary(arch)) rows.emplace(models::layer_key(row), std::move(row));
  std::vector<models::LayerSummary> out;
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}

/// Called after each layer is measured, with its key and the progress.
using ProfileProgress = std::function<void(const std::string& key, std::int64_t done, std::int64_t total)>;

/// Times every layer of `layers` that `table` lacks (layers already there
/// are skipped, so an interrupted profile resumes) with the table's protocol.
void profile_layers(const std::vector<models::LayerSummary>& layers, LatencyTable& table,
                    const ProfileProgress& progress = {});

/// Sets the table's overhead to the median over `archs` of measured latency
/// minus the sum of the layers' entries, and returns that median. The
/// overhead is work an inference does besides its layers, so it is never
/// below zero: a negative median means the layers were timed slow (too few
/// runs, a busy machine), which a negative constant would hide by predicting
/// small networks at zero or less. ConfigError for no architectures.
template <LayerwiseSpace Space>
double fit_overhead(const Space& space, LatencyTable& table, const std::vector<typename Space::Arch>& archs) {
  HWNAS_CHECK_CONFIG(!archs.empty(), "fit_overhead: needs at least one architecture");
  const MeasuredLatency<Space> measured(space, table.protocol());
  table.set_overhead_ms(0.0);
  std::vector<double> residuals;
  for (const auto& arch : archs)
    residuals.push_back(measured.measure(arch).median_ms - table.predict(space.summary(arch)));
  const double median = quantile(residuals, 0.5);
  table.set_overhead_ms(std::max(median, 0.0));
  return median;
}

/// A latency table as a `CostModel`.
template <LayerwiseSpace Space>
class LutLatency {
 public:
  /// ConfigError for a table of another space or, unless `force`, of another
  /// device (this machine at the table's thread count).
  LutLatency(Space space, std::shared_ptr<const LatencyTable> table, bool force = false)
      : space_(std::move(space)), table_(std::move(table)) {
    HWNAS_CHECK_CONFIG(table_ != nullptr, "LutLatency: no table");
    table_->check_matches(space_.name(), this_device(table_->protocol().threads()), force);
    // Rows looked up by their fields: formatting keys would cost more than the sum.
    auto ms = std::make_shared<std::unordered_map<models::LayerSummary, double, models::LayerSummaryHash>>();
    for (const auto& layer : distinct_layers(space_))
      if (const auto key = models::layer_key(layer); table_->contains(key)) ms->emplace(layer, table_->at(key).median_ms);
    ms_ = std::move(ms);
  }

  [[nodiscard]] std::string_view name() const { return "lut"; }
  /// Concurrent calls are safe: the Searcher may evaluate candidates on the thread pool.
  [[nodiscard]] bool thread_safe() const { return true; }
  /// The table's prediction (`LatencyTable::predict`); ConfigError naming the key of a layer it lacks.
  [[nodiscard]] Cost cost(const typename Space::Arch& arch) const {
    double ms = table_->overhead_ms();
    for (const auto& layer : space_.summary(arch)) {
      const auto row = ms_->find(layer);
      ms += row != ms_->end() ? row->second : table_->at(models::layer_key(layer)).median_ms;
    }
    return {ms, "ms", table_->device().id()};
  }

 private:
  Space space_;
  std::shared_ptr<const LatencyTable> table_;
  std::shared_ptr<const std::unordered_map<models::LayerSummary, double, models::LayerSummaryHash>> ms_;
};

}  // namespace hwnas::cost
