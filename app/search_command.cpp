// `hwnas search`: runs a search from `--config FILE` and/or flags, writing
// into the output directory
//
//     config.json     the configuration in force (budget resolved), for --resume
//     checkpoint.json the search's state, saved atomically every few seconds
//     history.jsonl   every candidate, one JSON line each
//     best.json       the best candidate (and its brief training, when asked)
//     pareto.json     the accuracy-vs-cost front
//     report.html     plots, the best architecture and the configuration
//
// `--resume DIR` continues a search that was cut short with the same result
// an uninterrupted run would have given.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/cost/latency.hpp"
#include "hwnas/data/datasets.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/search/callbacks.hpp"
#include "hwnas/train.hpp"
#include "json_input.hpp"
#include "report.hpp"
#include "search_config.hpp"
#include "train_recipe.hpp"
#include "trained_supernet.hpp"

namespace hwnas::app {
namespace {

namespace fs = std::filesystem;
using AnySearcher = search::Searcher<space::AnySpace, estimate::AnyEstimator, cost::AnyCost, search::AnyStrategy>;

/// Flags that override the configuration, set only when given.
struct SearchFlags {
  std::optional<std::string> space, estimator, cost, strategy, objective;
  std::optional<double> latency_budget_ms, cost_budget, seconds, checkpoint_seconds;
  std::optional<std::int64_t> params_limit, evaluations, batch, early_stop, epochs, train_subset;
  std::optional<std::uint64_t> seed;
  bool no_final = false;

  [[nodiscard]] bool any() const {
    return space || estimator || cost || strategy || objective || latency_budget_ms || cost_budget || seconds ||
           params_limit || evaluations || batch || early_stop || epochs || train_subset || seed || no_final ||
           checkpoint_seconds;
  }

  void apply(nlohmann::json& c) const {
    if (space) c["space"] = *space;
    if (estimator) c["estimator"] = {{"name", *estimator}};
    if (cost) c["cost"] = {{"name", *cost}};
    if (strategy) c["strategy"] = {{"name", *strategy}};
    if (objective) c["objective"] = *objective;
    if (latency_budget_ms) c["constraints"]["cost"] = *latency_budget_ms;
    if (cost_budget) c["constraints"]["cost"] = *cost_budget;
    if (params_limit) c["constraints"]["params"] = *params_limit;
    if (evaluations) c["budget"]["evaluations"] = *evaluations;
    if (seconds) c["budget"]["seconds"] = *seconds;
    if (batch) c["batch"] = *batch;
    if (early_stop) c["early_stop"] = *early_stop;
    if (seed) c["seed"] = *seed;
    if (checkpoint_seconds) c["checkpoint_seconds"] = *checkpoint_seconds;
    // A training estimator trains every candidate on the budget the flags give.
    if ((epochs || train_subset) && c.contains("estimator") && c["estimator"].value("name", "") == "scratch") {
      if (epochs) c["estimator"]["epochs"] = *epochs;
      if (train_subset) c["estimator"]["train_subset"] = *train_subset;
    }
    if (no_final) {
      c["final"] = nullptr;
    } else if (epochs || train_subset) {
      auto& final = c["final"];
      if (final.is_null()) final = nlohmann::json::object();
      final.erase("supernet");  // training replaces the supernet's weights
      if (epochs) final["epochs"] = *epochs;
      if (train_subset) final["train_subset"] = *train_subset;
    }
  }
};

struct SearchCommand {
  std::string config_file;
  std::string out = "search-out";
  std::string resume;
  SearchFlags flags;
  bool quiet = false;
  bool json = false;

  [[nodiscard]] SearchConfig config() const {
    if (!resume.empty()) {
      HWNAS_CHECK_CONFIG(!flags.any() && config_file.empty(),
                         "--resume {} continues with {}/config.json; give no other settings", resume, resume);
      const fs::path saved = fs::path(resume) / "config.json";
      HWNAS_CHECK_CONFIG(fs::exists(saved), "--resume {}: no search to resume there (no config.json)", resume);
      return SearchConfig::from_json(parse_json(read_file(saved), saved.string()));
    }
    nlohmann::json c = config_file.empty() ? nlohmann::json::object()
                                           : parse_json(read_file(config_file), "--config " + config_file);
    HWNAS_CHECK_CONFIG(c.is_object(), "--config {}: expected a JSON object", config_file);
    flags.apply(c);
    return SearchConfig::from_json(c);
  }

  int run() const {
    SearchConfig config = this->config();
    const fs::path dir = resume.empty() ? fs::path(out) : fs::path(resume);
    fs::create_directories(dir);
    SearchParts parts = assemble(config, dir, quiet);
    HWNAS_CHECK_CONFIG(!flags.latency_budget_ms || parts.cost_unit == "ms",
                       "--latency-budget-ms needs a latency cost (lut, mlp, measured), not '{}'", parts.cost.name());
    config.cost_budget = parts.cost_budget;  // resolved, so that a resumed run keeps it
    write_file_atomically(dir / "config.json", config.to_json().dump(2) + "\n");

    AnySearcher searcher(parts.space, parts.estimator, parts.cost, parts.strategy, parts.options);
    if (!resume.empty())
      if (const auto saved = search::Checkpoint::load(dir / "checkpoint.json")) searcher.restore(*saved);
    if (!quiet)
      fmt::print(stderr, "searching {} with {} and {} cost, {} strategy: budget {:.4g} {}, {} candidates\n",
                 config.space, parts.estimator.name(), parts.cost.name(), parts.strategy.name(), parts.cost_budget,
                 parts.cost_unit, config.evaluations);
    using namespace search;
    const auto result = searcher.run(callback_if<SearchProgressBar>(!quiet), HistoryLogger(dir / "history.jsonl"),
                                     Checkpoint(dir / "checkpoint.json", config.checkpoint_seconds),
                                     callback_if<EarlyStop>(config.early_stop > 0, config.early_stop));

    nlohmann::json best = nullptr;
    if (result.best) {
      best = candidate_json(parts.space, *result.best);
      best["macs"] = parts.space.macs(result.best->arch);
      best["estimator"] = parts.estimator.name();
      if (!config.final.is_null()) best["final"] = final_result(parts, *result.best, config);
    }
    write_file_atomically(dir / "best.json", best.dump(2) + "\n");
    nlohmann::json pareto = nlohmann::json::array();
    for (const auto& c : result.pareto) pareto.push_back(candidate_json(parts.space, c));
    write_file_atomically(dir / "pareto.json", pareto.dump(2) + "\n");
    write_report(dir, config, parts, result, best, pareto);
    summarise(dir, parts, result, best);
    return 0;
  }

  /// `best`'s test accuracy, with the supernet's weights or after brief
  /// training, and its measured latency next to the prediction.
  [[nodiscard]] nlohmann::json final_result(const SearchParts& parts, const search::Candidate<space::AnyArch>& best,
                                            const SearchConfig& config) const {
    nlohmann::json out =
        config.final.contains("supernet") ? with_supernet_weights(best, config) : train_briefly(parts, best, config);
    if (parts.cost_unit == "ms" && config.final.value("measure", true)) {
      const cost::MeasuredLatency<space::AnySpace> measured(
          parts.space, cost::LatencyOptions{}.threads(config.cost.value("threads", 1)));
      out["measured_ms"] = measured.measure(best.arch).median_ms;
      out["predicted_ms"] = best.cost;
    }
    return out;
  }

  /// Once-for-All's deployment: the subnet keeps the supernet's weights, its
  /// batch norms recalibrated on 2,000 training images.
  [[nodiscard]] nlohmann::json with_supernet_weights(const search::Candidate<space::AnyArch>& best,
                                                     const SearchConfig& config) const {
    constexpr std::int64_t calibration = 2000;
    const fs::path dir = resolve_supernet(config.final["supernet"].get<std::string>(), config.space);
    if (!quiet) fmt::print(stderr, "testing the best architecture with the weights of {}\n", dir.string());
    const auto [dataset, data_dir] = config.final_data();
    const TrainedSupernet trained(dir, dataset, data_dir);
    return {{"supernet", dir.string()},
            {"recalibration_images", calibration},
            {"data", trained.data.name},
            {"test_images", std::ssize(trained.data.test.labels)},
            {"test_acc", trained.test_estimator(calibration).estimate(best.arch).value}};
  }

  /// Trains `best` from scratch for the configured epochs.
  [[nodiscard]] nlohmann::json train_briefly(const SearchParts& parts, const search::Candidate<space::AnyArch>& best,
                                             const SearchConfig& config) const {
    const auto options = built_in_training()
                             .epochs(config.final.value("epochs", 1))
                             .train_subset(config.final.value("train_subset", 12000))
                             .seed(config.seed);
    options.validate();
    const auto [dataset, data_dir] = config.final_data();
    const data::Dataset data = data::load_dataset(dataset, data::DatasetOptions{data_dir, 0, config.seed, true});
    auto net = parts.space.build(best.arch);
    Rng rng(config.seed);
    nn::init::default_init(*net, rng);
    train::Trainer trainer(net, options);
    if (!quiet) fmt::print(stderr, "training the best architecture for {} epochs\n", options.epochs());
    const train::TrainResult trained =
        trainer.fit(data.train, nullptr, train::callback_if<train::ShowProgress>(!quiet));
    return {{"epochs", options.epochs()},
            {"train_subset", options.train_subset()},
            {"data", data.name},
            {"test_images", std::ssize(data.test.labels)},
            {"test_acc", trainer.evaluate(data.test).accuracy},
            {"train_seconds", trained.seconds}};
  }

  void write_report(const fs::path& dir, const SearchConfig& config, const SearchParts& parts,
                    const search::SearchResult<space::AnyArch>& result, const nlohmann::json& best,
                    const nlohmann::json& pareto) const {
    ReportInput input;
    input.title = fmt::format("hwnas search: {}, {}, {}", config.space, parts.estimator.name(), parts.cost.name());
    input.config = config.to_json();
    input.config["wall_seconds"] = result.seconds;
    for (const auto& c : result.history) input.history.push_back(candidate_json(parts.space, c));
    input.pareto = pareto;
    input.best = best;
    input.accuracy_name = std::string(parts.estimator.name());
    input.cost_unit = parts.cost_unit;
    input.cost_budget = parts.cost_budget;
    if (result.best) input.best_layers = parts.space.summary(result.best->arch);
    input.final = best.is_null() ? nlohmann::json(nullptr) : best.value("final", nlohmann::json(nullptr));
    write_file_atomically(dir / "report.html", render_report(input));
  }

  void summarise(const fs::path& dir, const SearchParts& parts, const search::SearchResult<space::AnyArch>& result,
                 const nlohmann::json& best) const {
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"out", dir.string()},
                                        {"best", best},
                                        {"pareto_size", result.pareto.size()},
                                        {"evaluations", result.history.size()},
                                        {"estimates", result.estimates},
                                        {"seconds", result.seconds},
                                        {"stopped_by", result.stopped_by}}
                             .dump());
      return;
    }
    fmt::print("{} candidates ({} estimated) in {:.1f} s, stopped by {}\n", result.history.size(), result.estimates,
               result.seconds, result.stopped_by);
    if (!result.best) {
      fmt::print("no candidate met the budget of {:.4g} {}\n", parts.cost_budget, parts.cost_unit);
    } else {
      fmt::print("best: {} {:.4g} at {:.4g} {} (budget {:.4g}), {} parameters\n  {}\n", parts.estimator.name(),
                 result.best->accuracy, result.best->cost, parts.cost_unit, parts.cost_budget, result.best->params,
                 parts.space.to_json(result.best->arch).dump());
      if (const auto final = best.value("final", nlohmann::json(nullptr)); !final.is_null()) {
        if (final.contains("supernet"))
          fmt::print("  with the supernet's weights: test accuracy {:.4f}", final["test_acc"].get<double>());
        else
          fmt::print("  trained {} epochs: test accuracy {:.4f}", final["epochs"].get<int>(),
                     final["test_acc"].get<double>());
        if (final.contains("measured_ms"))
          fmt::print(", measured {:.4f} ms (predicted {:.4f} ms)", final["measured_ms"].get<double>(),
                     final["predicted_ms"].get<double>());
        fmt::print("\n");
      }
    }
    fmt::print("front of {} candidates; report: {}\n", result.pareto.size(), (dir / "report.html").string());
  }
};

}  // namespace

Command add_search_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("search", "Search a space for accurate architectures within a cost budget");
  auto command = std::make_shared<SearchCommand>();
  auto& c = *command;
  auto& f = c.flags;
  cli->add_option("--config", c.config_file, "the search as JSON (docs/search.md); flags override it")
      ->check(CLI::ExistingFile);
  cli->add_option("--out", c.out, "output directory")->capture_default_str();
  cli->add_option("--resume", c.resume, "continue the search in this directory after an interruption");
  cli->add_option("--space", f.space, "search space: ofa-fmnist (default), proxyless, nb201");
  cli->add_option("--estimator", f.estimator,
                  "accuracy estimator: ofa-predictor (default for ofa-fmnist), supernet, scratch, zen (default "
                  "elsewhere), gradsign, synflow, ...");
  cli->add_option("--cost", f.cost, "cost model: lut (default), mlp, macs, params, measured");
  cli->add_option("--strategy", f.strategy, "evolution (default), aging-evolution, nsga2, rl, random, morphism");
  cli->add_option("--objective", f.objective, "accuracy (default) or pareto");
  cli->add_option("--latency-budget-ms", f.latency_budget_ms,
                  "latency constraint (default: the median latency of sampled architectures)")
      ->check(CLI::PositiveNumber);
  cli->add_option("--cost-budget", f.cost_budget, "cost constraint in the cost's unit")->check(CLI::PositiveNumber);
  cli->add_option("--params-limit", f.params_limit, "parameter constraint")->check(CLI::PositiveNumber);
  cli->add_option("--budget-evals", f.evaluations, "candidates to propose (default 3000)")->check(CLI::PositiveNumber);
  cli->add_option("--budget-seconds", f.seconds, "wall-time budget of the search")->check(CLI::PositiveNumber);
  cli->add_option("--batch", f.batch, "candidates per round (default: the strategy's)")->check(CLI::PositiveNumber);
  cli->add_option("--early-stop", f.early_stop, "stop after N rounds without improvement");
  cli->add_option("--checkpoint-seconds", f.checkpoint_seconds, "seconds between checkpoints (default 5)")
      ->check(CLI::NonNegativeNumber);
  cli->add_option("--seed", f.seed, "seeds the strategy, the estimator and the training (default 0)");
  cli->add_option("--epochs", f.epochs,
                  "train the best architecture from scratch for N epochs (default: ofa-fmnist's best keeps the "
                  "supernet's weights; others train for 1), and with --estimator scratch every candidate");
  cli->add_option("--train-subset", f.train_subset, "training images of that training (default 12000)");
  cli->add_flag("--no-final", f.no_final, "skip testing and measuring the best architecture");
  cli->add_flag("--json", c.json, "print the summary as one JSON document");
  cli->add_flag("--quiet", c.quiet, "no progress on stderr");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
