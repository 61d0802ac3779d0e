#include "trained_supernet.hpp"

#include <algorithm>
#include <numeric>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/train/bn_recalibration.hpp"
#include "json_input.hpp"
#include "latency_tables.hpp"

namespace hwnas::app {

namespace fs = std::filesystem;

data::Dataset recipe_data(const supernet::Recipe& recipe, const std::string& dataset, const std::string& data_dir) {
  return data::load_dataset(dataset, data::DatasetOptions{data_dir, recipe.validation_size, recipe.seed, true});
}

std::shared_ptr<const data::LabelledImages> held_out_images(const data::Dataset& data, std::int64_t limit) {
  std::vector<std::int64_t> slice(static_cast<std::size_t>(std::min(limit, std::ssize(data.validation.labels))));
  std::iota(slice.begin(), slice.end(), 0);
  return std::make_shared<const data::LabelledImages>(data::subset(data.validation, slice));
}

std::vector<Tensor> calibration_batches(const data::Dataset& data, std::int64_t calibration, std::uint64_t seed) {
  return train::recalibration_batches(data.train, calibration, std::min<std::int64_t>(calibration, 200), seed);
}

SupernetEstimator supernet_estimator(std::shared_ptr<const supernet::OfaSupernet> net, const data::Dataset& data,
                                     std::uint64_t seed, std::int64_t limit, std::int64_t calibration) {
  return SupernetEstimator(std::move(net), held_out_images(data, limit), calibration_batches(data, calibration, seed));
}

TrainedSupernet::TrainedSupernet(const fs::path& dir, const std::string& dataset, const std::string& data_dir) {
  const fs::path state = dir / "supernet.state";
  HWNAS_CHECK_CONFIG(fs::exists(dir / "recipe.json") && fs::exists(state),
                     "{}: no trained supernet there (it needs recipe.json and supernet.state)", dir.string());
  recipe = supernet::Recipe::from_json(parse_json(read_file(dir / "recipe.json"), (dir / "recipe.json").string()));
  data = recipe_data(recipe, dataset, data_dir);
  (void)nn::load_state(*net, state);
}

SupernetEstimator TrainedSupernet::estimator(std::int64_t calibration) const {
  return supernet_estimator(net, data, recipe.seed, std::ssize(data.validation.labels), calibration);
}

SupernetEstimator TrainedSupernet::test_estimator(std::int64_t calibration) const {
  return SupernetEstimator(net, std::make_shared<const data::LabelledImages>(data.test),
                           calibration_batches(data, calibration, recipe.seed));
}

fs::path resolve_supernet(const std::string& given, const std::string& space) {
  if (given != "auto") return given;
  return find_shipped("supernet", space, "hwnas supernet train makes one");
}

fs::path resolve_accuracy_predictor(const std::string& given, const std::string& space) {
  if (given != "auto") return given;
  return find_shipped("supernet", fmt::format("{}-accuracy-predictor.json", space),
                      "hwnas supernet fit-predictor makes one");
}

}  // namespace hwnas::app
