// Searches ofa-fmnist for the highest Zen-score within a latency budget on
// this machine, with the library alone: the shipped (or a given) latency
// table, Once-for-All's evolution, a progress bar, a history file, a
// checkpoint to resume from, and early stopping.
//
//     search_ofa --lut data/lut/ofa-fmnist-amd-epyc-t1.json --budget-ms 0.5 --evaluations 3000

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <hwnas/hwnas.hpp>

int main(int argc, char** argv) {
  using namespace hwnas;
  CLI::App app{"Search ofa-fmnist for the highest Zen-score within a latency budget"};
  std::string lut = "data/lut/ofa-fmnist-amd-epyc-t1.json";
  double budget_ms = 0.5;
  std::int64_t evaluations = 3000;
  std::string dir = "search-ofa";
  bool force = false;
  app.add_option("--lut", lut, "latency table of this machine (hwnas profile makes one)")->capture_default_str();
  app.add_option("--budget-ms", budget_ms, "latency budget")->capture_default_str();
  app.add_option("--evaluations", evaluations, "candidates to propose")->capture_default_str();
  app.add_option("--out", dir, "directory of history.jsonl and checkpoint.json")->capture_default_str();
  app.add_flag("--force", force, "use a table of another device");
  CLI11_PARSE(app, argc, argv);

  try {
    const space::OfaFmnistSpace space;
    auto table = std::make_shared<const cost::LatencyTable>(cost::LatencyTable::load(lut));
    search::Searcher searcher(space, estimate::ZenScore(space), cost::LutLatency(space, table, force),
                              search::Evolution(space, search::EvolutionOptions{}.seed(0)),
                              search::SearchOptions{}.cost_budget(budget_ms).max_evaluations(evaluations));
    std::filesystem::create_directories(dir);
    const auto checkpoint = std::filesystem::path(dir) / "checkpoint.json";
    if (const auto saved = search::Checkpoint::load(checkpoint)) searcher.restore(*saved);
    const auto result = searcher.run(search::SearchProgressBar{},
                                      search::HistoryLogger(std::filesystem::path(dir) / "history.jsonl"),
                                      search::Checkpoint(checkpoint), search::EarlyStop(20));
    if (!result.best) {
      fmt::print("nothing met {} ms\n", budget_ms);
      return 1;
    }
    fmt::print("best Zen-score {:.3f} at {:.4f} ms: {}\n", result.best->accuracy, result.best->cost,
               space.to_json(result.best->arch).dump());
    fmt::print("{} candidates, {} estimated, front of {}, {:.1f} s\n", result.history.size(), result.estimates,
               result.pareto.size(), result.seconds);
  } catch (const Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}
