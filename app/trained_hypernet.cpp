#include "trained_hypernet.hpp"

#include <utility>

#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/json_options.hpp"
#include "json_input.hpp"
#include "trained_supernet.hpp"

namespace hwnas::app {

namespace fs = std::filesystem;

HypernetRun HypernetRun::from_json(const nlohmann::json& json) {
  JsonOptions o(json, "hypernetwork run");
  HypernetRun run;
  run.net.hidden(o.get("hidden", run.net.hidden()));
  if (o.has("train")) run.train = o.object("train").get<hypernet::SmashTrainOptions>();
  run.validation_size = o.get("validation_size", run.validation_size);
  o.finish();
  HWNAS_CHECK_CONFIG(run.net.hidden() >= 1 && run.validation_size >= 0,
                     "hypernetwork run: hidden must be positive and validation_size non-negative");
  return run;
}

nlohmann::json HypernetRun::to_json() const {
  return {{"hidden", net.hidden()}, {"train", train}, {"validation_size", validation_size}};
}

data::Dataset HypernetRun::data(const std::string& dataset, const std::string& data_dir) const {
  return data::load_dataset(dataset, data::DatasetOptions{data_dir, validation_size, train.seed(), true});
}

TrainedHypernet::TrainedHypernet(const fs::path& dir, const std::string& dataset, const std::string& data_dir) {
  const fs::path state = dir / "hypernet.state";
  HWNAS_CHECK_CONFIG(fs::exists(dir / "run.json") && fs::exists(state),
                     "{}: no trained hypernetwork there (it needs run.json and hypernet.state; "
                     "hwnas hypernet train makes them)",
                     dir.string());
  run = HypernetRun::from_json(parse_json(read_file(dir / "run.json"), (dir / "run.json").string()));
  data = run.data(dataset, data_dir);
  net = std::make_shared<hypernet::SmashHypernet>(run.net);
  net->load(state);
}

hypernet::SmashAccuracy smash_estimator(std::shared_ptr<hypernet::SmashHypernet> net, const data::Dataset& data,
                                        std::uint64_t seed, std::int64_t limit, std::int64_t calibration) {
  return hypernet::SmashAccuracy(std::move(net), held_out_images(data, limit),
                                 calibration_batches(data, calibration, seed));
}

hypernet::SmashAccuracy TrainedHypernet::estimator(std::int64_t limit, std::int64_t calibration) const {
  return smash_estimator(net, data, run.train.seed(), limit, calibration);
}

}  // namespace hwnas::app
