#pragma once
// A trained SMASH hypernetwork as the tool keeps it: a directory with
// `run.json` (the generator's width, the training options and the held-out
// split) and `hypernet.state`, written by `hwnas hypernet train` and read by
// the "smash" estimator of `hwnas search` and `hwnas score`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "hwnas/data/datasets.hpp"
#include "hwnas/hypernet/smash_accuracy.hpp"
#include "hwnas/hypernet/smash_hypernet.hpp"
#include "hwnas/hypernet/smash_training.hpp"

namespace hwnas::app {

/// Everything a hypernetwork's training depends on besides the data.
struct HypernetRun {
  hypernet::SmashHypernetOptions net;
  hypernet::SmashTrainOptions train;
  /// Training images held out for validation (drawn by the training seed).
  std::int64_t validation_size = 10000;

  /// ConfigError naming the field for anything malformed.
  [[nodiscard]] static HypernetRun from_json(const nlohmann::json& json);
  [[nodiscard]] nlohmann::json to_json() const;
  /// The dataset split as this run splits it.
  [[nodiscard]] data::Dataset data(const std::string& dataset, const std::string& data_dir) const;
};

/// SMASH's estimate on (up to `limit` of) the held-out images of `data`,
/// recalibrating on `calibration` training images drawn by `seed`.
[[nodiscard]] hypernet::SmashAccuracy smash_estimator(std::shared_ptr<hypernet::SmashHypernet> net,
                                                      const data::Dataset& data, std::uint64_t seed,
                                                      std::int64_t limit, std::int64_t calibration);

/// A trained hypernetwork: `dir`'s run and final weights, and its data split.
struct TrainedHypernet {
  HypernetRun run;
  data::Dataset data;
  std::shared_ptr<hypernet::SmashHypernet> net;

  /// ConfigError when `dir` holds no run.json and hypernet.state.
  TrainedHypernet(const std::filesystem::path& dir, const std::string& dataset, const std::string& data_dir);

  /// `smash_estimator` of this hypernetwork on its own split.
  [[nodiscard]] hypernet::SmashAccuracy estimator(std::int64_t limit, std::int64_t calibration) const;
};

}  // namespace hwnas::app
