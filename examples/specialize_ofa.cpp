// Once-for-All's "train once, get many" with the library alone. For each
// latency budget, evolution ranks ofa-fmnist subnets by the shipped accuracy
// predictor within the shipped latency table; the best subnet is extracted
// from the shipped supernet with its weights, its batch norms recalibrated,
// and saved as a standalone network whose state file records its
// architecture. That file is then loaded the way a deployment would load it,
// tested on the Fashion-MNIST test images and timed on this machine. No
// training happens here.
//
//     specialize_ofa --budgets 0.3,0.4,0.5 --out specialized

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <hwnas/hwnas.hpp>

namespace {

namespace fs = std::filesystem;
using hwnas::space::OfaFmnistSpace;

/// A deployed subnet: the network its state file's architecture describes, with the saved weights.
std::shared_ptr<hwnas::nn::Module> load_subnet(const OfaFmnistSpace& space, const fs::path& path) {
  const auto reader = hwnas::nn::StateReader::from_file(path);
  auto net = space.build(space.from_json(reader.metadata().at("arch")));
  hwnas::nn::read_state(reader, *net);
  return net;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hwnas;
  CLI::App app{"Specialise the shipped ofa-fmnist supernet to latency budgets on this machine"};
  std::string supernet_dir = "data/supernet/ofa-fmnist";
  std::string predictor_file = "data/supernet/ofa-fmnist-accuracy-predictor.json";
  std::string lut = "data/lut/ofa-fmnist-amd-epyc-t1.json";
  std::vector<double> budgets{0.3, 0.4, 0.5};
  std::int64_t evaluations = 5000;
  std::string out = "specialized";
  bool force = false;
  app.add_option("--supernet", supernet_dir, "directory of hwnas supernet train")->capture_default_str();
  app.add_option("--predictor", predictor_file, "accuracy predictor of that supernet")->capture_default_str();
  app.add_option("--lut", lut, "latency table of this machine (hwnas profile makes one)")->capture_default_str();
  app.add_option("--budgets", budgets, "latency budgets in ms")->delimiter(',')->capture_default_str();
  app.add_option("--evaluations", evaluations, "candidates per budget")->capture_default_str();
  app.add_option("--out", out, "directory of the subnets' state files")->capture_default_str();
  app.add_flag("--force", force, "use a table of another device");
  CLI11_PARSE(app, argc, argv);

  try {
    const OfaFmnistSpace space;
    const fs::path dir(supernet_dir);
    const auto recipe = supernet::Recipe::from_json(nlohmann::json::parse(read_file(dir / "recipe.json")));
    auto supernet = std::make_shared<supernet::OfaSupernet>();
    (void)nn::load_state(*supernet, dir / "supernet.state");
    // The supernet's own split: recalibration draws from the images it was trained on.
    const data::Dataset fmnist =
        data::load_dataset("fashion-mnist", data::DatasetOptions{{}, recipe.validation_size, recipe.seed, true});
    const auto calibration = train::recalibration_batches(fmnist.train, 2000, 200, recipe.seed);

    const supernet::PredictedAccuracy predicted(space, std::make_shared<const supernet::AccuracyPredictor>(
                                                           supernet::AccuracyPredictor::load(predictor_file)));
    const cost::LutLatency latency(space, std::make_shared<const cost::LatencyTable>(cost::LatencyTable::load(lut)),
                                   force);
    const cost::MeasuredLatency measured(space, cost::LatencyOptions{}.threads(1));
    fs::create_directories(out);

    fmt::print("| budget (ms) | predicted accuracy | test accuracy | table (ms) | measured (ms) | subnet |\n");
    fmt::print("|---:|---:|---:|---:|---:|---|\n");
    for (const double budget : budgets) {
      search::Searcher searcher(space, predicted, latency, search::Evolution(space, search::EvolutionOptions{}.seed(0)),
                                search::SearchOptions{}.cost_budget(budget).max_evaluations(evaluations));
      const auto result = searcher.run();
      if (!result.best) {
        fmt::print("| {:g} | no subnet fits | | | | |\n", budget);
        continue;
      }
      const auto& best = *result.best;
      auto subnet = supernet->extract(best.arch);
      train::recalibrate_batch_norm(*subnet, calibration);
      const fs::path path = fs::path(out) / fmt::format("subnet-{:g}ms.state", budget);
      nn::save_state(*subnet, path, {{"space", space.name()}, {"arch", space.to_json(best.arch)}});

      const auto deployed = load_subnet(space, path);
      fmt::print("| {:g} | {:.2f} % | {:.2f} % | {:.3f} | {:.3f} | {} |\n", budget, 100 * best.accuracy,
                 100 * train::evaluate(*deployed, fmnist.test).accuracy, best.cost,
                 measured.measure(best.arch).median_ms, path.string());
    }
  } catch (const Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}
