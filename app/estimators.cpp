#include "estimators.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/json_options.hpp"
#include "hwnas/data/datasets.hpp"
#include "hwnas/inherit/net2net_accuracy.hpp"
#include "hwnas/supernet/accuracy_predictor.hpp"
#include "hwnas/train/scratch_accuracy.hpp"
#include "train_recipe.hpp"
#include "trained_hypernet.hpp"
#include "trained_supernet.hpp"

namespace hwnas::app {
namespace {

/// Which dataset an estimator reads ("data", "data_dir").
struct DataChoice {
  std::string dataset;
  std::string dir;
};

DataChoice read_data(JsonOptions& o) {
  return {o.get<std::string>("data", "fashion-mnist"), o.get<std::string>("data_dir", "")};
}

/// The training estimators' data: "data", "data_dir" and the
/// "validation_images" held out of the training set (the dataset's default
/// when absent), split by the search's seed.
struct TrainingData {
  DataChoice source;
  std::optional<std::int64_t> validation;

  explicit TrainingData(JsonOptions& o)
      : source(read_data(o)), validation(o.get_optional<std::int64_t>("validation_images")) {}
  [[nodiscard]] data::Dataset load(std::uint64_t seed) const {
    return data::load_dataset(source.dataset, data::DatasetOptions{source.dir, validation, seed, true});
  }
};

/// The fields of the estimators that score shared or generated weights:
/// the data, "recalibration_images" and "validation_images", checked.
struct HeldOutScoring {
  DataChoice source;
  std::int64_t calibration;
  std::int64_t validation;

  HeldOutScoring(JsonOptions& o, std::string_view name)
      : source(read_data(o)),
        calibration(o.get<std::int64_t>("recalibration_images", 2000)),
        validation(o.get<std::int64_t>("validation_images", 10000)) {
    HWNAS_CHECK_CONFIG(calibration >= 2 && validation >= 1,
                       "estimator {}: recalibration_images must be at least 2 and validation_images positive", name);
  }
};

/// Once-for-All's accuracy predictor: `file` or the shipped one ("auto").
estimate::AnyEstimator make_predicted_accuracy(JsonOptions& o, const space::AnySpace& space) {
  const auto path = resolve_accuracy_predictor(o.get<std::string>("file", "auto"), std::string(space.name()));
  o.finish();
  return estimate::AnyEstimator(supernet::PredictedAccuracy<space::AnySpace>(
      space, std::make_shared<const supernet::AccuracyPredictor>(supernet::AccuracyPredictor::load(path))));
}

/// Once-for-All's own estimate: the subnet with the supernet's weights, batch
/// norms recalibrated, on the held-out images (`dir` or the shipped supernet).
estimate::AnyEstimator make_supernet_accuracy(JsonOptions& o, const space::AnySpace& space) {
  const auto dir = o.get<std::string>("dir", "auto");
  const HeldOutScoring scoring(o, "supernet");
  o.finish();
  HWNAS_CHECK_CONFIG(space.name() == "ofa-fmnist", "estimator supernet: only for ofa-fmnist, not {}", space.name());
  const TrainedSupernet trained(resolve_supernet(dir, std::string(space.name())), scoring.source.dataset,
                                scoring.source.dir);
  return estimate::AnyEstimator(supernet_estimator(trained.net, trained.data, trained.recipe.seed, scoring.validation,
                                                   scoring.calibration));
}

/// `base` with the fields of the JSON object `json` (null: none) applied;
/// ConfigError naming `where` and the field for a bad one.
train::TrainOptions training(const nlohmann::json& json, train::TrainOptions base, const std::string& where) {
  if (json.is_null()) return base;
  try {
    train::from_json(json, base);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: {}", where, e.what()));
  }
  base.validate();
  return base;
}

/// Net2Net weight inheritance: each candidate inherits from its nearest
/// trained ancestor (a root per resolution trained with `root`), is
/// fine-tuned with `fine_tune` and scored on the validation split.
estimate::AnyEstimator make_net2net_accuracy(JsonOptions& o, const space::AnySpace& space, std::uint64_t seed) {
  inherit::Net2NetOptions options;
  options.root_training(training(o.object("root"), built_in_training().epochs(1).train_subset(12000),
                                 "estimator.root"));
  options.fine_tuning(training(o.object("fine_tune"),
                               built_in_training().epochs(1).train_subset(3000).lr(0.02), "estimator.fine_tune"));
  options.pool_capacity(o.get("pool", options.pool_capacity())).seed(seed);
  const TrainingData training_data(o);
  o.finish();
  HWNAS_CHECK_CONFIG(space.name() == "ofa-fmnist", "estimator net2net: only for ofa-fmnist, not {}", space.name());
  const data::Dataset d = training_data.load(seed);
  return estimate::AnyEstimator(inherit::Net2NetAccuracy(std::make_shared<const data::LabelledImages>(d.train),
                                                         std::make_shared<const data::LabelledImages>(d.validation),
                                                         options));
}

/// SMASH: each candidate with the weights a trained hypernetwork generates
/// for it, batch norms recalibrated, on the held-out images. `dir` is a
/// directory of `hwnas hypernet train`, by default the one it writes to.
estimate::AnyEstimator make_smash_accuracy(JsonOptions& o, const space::AnySpace& space) {
  const auto dir = o.get<std::string>("dir", "hypernet-out");
  const HeldOutScoring scoring(o, "smash");
  o.finish();
  HWNAS_CHECK_CONFIG(space.name() == "ofa-fmnist", "estimator smash: only for ofa-fmnist, not {}", space.name());
  const TrainedHypernet trained(dir, scoring.source.dataset, scoring.source.dir);
  return estimate::AnyEstimator(trained.estimator(scoring.validation, scoring.calibration));
}

/// Where trained accuracies are kept between searches by default: the
/// user's cache directory (XDG), or nowhere when there is none.
std::filesystem::path default_scratch_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "hwnas" / "scratch-accuracy.jsonl";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "hwnas" / "scratch-accuracy.jsonl";
  return {};
}

/// Each candidate trained from scratch on a fixed budget (the tool's recipe,
/// by default one epoch on 12,000 images, or `steps` steps), scored on the
/// validation split, and cached in `cache` ("auto": the user's cache
/// directory; null: none).
estimate::AnyEstimator make_scratch_accuracy(JsonOptions& o, const space::AnySpace& space, std::uint64_t seed) {
  auto options = built_in_training().epochs(1).train_subset(12000).seed(seed);
  options.epochs(o.get("epochs", options.epochs()));
  options.train_subset(o.get("train_subset", options.train_subset()));
  options.batch_size(o.get("batch_size", options.batch_size()));
  options.lr(o.get("lr", options.lr()));
  const auto steps = o.get_optional<std::int64_t>("steps");
  HWNAS_CHECK_CONFIG(!steps || (!o.has("epochs") && !o.has("train_subset")),
                     "estimator scratch: give either \"steps\" or \"epochs\"/\"train_subset\", not both");
  const auto cache = o.get_optional<std::string>("cache");
  const bool no_cache = o.has("cache") && !cache;
  const TrainingData training_data(o);
  o.finish();
  const data::Dataset d = training_data.load(seed);
  if (steps) options = train::step_budget(options, *steps, std::ssize(d.train.labels));
  std::filesystem::path path;
  if (!no_cache) path = cache.value_or("auto") == "auto" ? default_scratch_cache() : std::filesystem::path(*cache);
  try {
    return estimate::AnyEstimator(train::ScratchAccuracy<space::AnySpace>(
        space, std::make_shared<const data::LabelledImages>(d.train),
        std::make_shared<const data::LabelledImages>(d.validation), options,
        path.empty() ? std::make_shared<train::ScratchCache>() : std::make_shared<train::ScratchCache>(path)));
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("estimator scratch: ") + e.what());
  }
}

}  // namespace

estimate::AnyEstimator make_estimator(const nlohmann::json& json, const space::AnySpace& space, std::uint64_t seed) {
  JsonOptions o(json, "estimator");
  const auto name = o.require<std::string>("name");
  if (name == "ofa-predictor") return make_predicted_accuracy(o, space);
  if (name == "supernet") return make_supernet_accuracy(o, space);
  if (name == "scratch") return make_scratch_accuracy(o, space, seed);
  if (name == "smash") return make_smash_accuracy(o, space);
  if (name == "net2net") return make_net2net_accuracy(o, space, seed);
  const auto proxies = estimate::proxy_names();
  HWNAS_CHECK_CONFIG(std::ranges::find(proxies, name) != proxies.end(),
                     "estimator.name: unknown estimator '{}' (known: ofa-predictor, supernet, scratch, net2net, smash, "
                     "{})",
                     name, fmt::join(proxies, ", "));
  estimate::ProxyOptions options;
  options.batch = o.get("batch", options.batch);
  options.repeats = o.get("repeats", options.repeats);
  options.seed = seed;
  const DataChoice source = read_data(o);
  const auto images = o.get<std::int64_t>("images", 64);
  o.finish();
  HWNAS_CHECK_CONFIG(options.batch >= 1 && options.repeats >= 1 && images >= 1,
                     "estimator: batch, repeats and images must be positive");
  if (estimate::proxy_needs_data(name)) {
    data::DatasetOptions split;
    split.dir = source.dir;
    const data::Dataset d = data::load_dataset(source.dataset, split);
    options.data = std::make_shared<const estimate::ProxyBatch>(estimate::proxy_batch(d.train, images, seed));
  }
  return estimate::make_proxy(name, space, options);
}

}  // namespace hwnas::app
