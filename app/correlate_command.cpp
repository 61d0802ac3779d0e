// `hwnas correlate`: Kendall tau and Spearman rho of scores against a ground
// truth, with bootstrap 95% intervals, from a JSON Lines file such as
// `hwnas score` writes (scores under "scores") joined with measured accuracy.

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/estimate/correlation.hpp"
#include "json_input.hpp"

namespace hwnas::app {
namespace {

struct CorrelateCommand {
  std::string file;
  std::string truth = "test_acc";
  std::vector<std::string> scores;
  std::int64_t resamples = 1000;
  std::uint64_t seed = 0;
  bool json = false;

  /// Numeric fields of `line` other than the truth: top-level ones and those under "scores".
  static void collect(const nlohmann::json& object, const std::string& truth, std::map<std::string, double>& out) {
    for (const auto& [key, value] : object.items()) {
      if (key == truth) continue;
      if (value.is_number()) out[key] = value.get<double>();
      if (key == "scores" && value.is_object()) collect(value, truth, out);
    }
  }

  int run() const {
    std::vector<double> truths;
    std::vector<std::map<std::string, double>> rows;
    for_each_json_line(file, [&](const nlohmann::json& j, const std::string& /*where*/) {
      HWNAS_CHECK_CONFIG(j.is_object() && j.contains(truth) && j[truth].is_number(),
                         "no numeric ground-truth field \"{}\"", truth);
      truths.push_back(j[truth].get<double>());
      rows.emplace_back();
      collect(j, truth, rows.back());
    });
    HWNAS_CHECK_CONFIG(truths.size() >= 2, "{}: needs at least 2 lines with \"{}\", found {}", file, truth,
                       truths.size());
    std::vector<std::string> names = scores;
    if (names.empty()) {
      std::map<std::string, int> seen;
      for (const auto& row : rows)
        for (const auto& [name, value] : row) ++seen[name];
      for (const auto& [name, count] : seen) names.push_back(name);
    }
    HWNAS_CHECK_CONFIG(!names.empty(), "{}: no score fields besides \"{}\"", file, truth);

    nlohmann::json results = nlohmann::json::array();
    for (const auto& name : names) {
      std::vector<double> x;
      std::vector<double> y;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto it = rows[i].find(name);
        if (it == rows[i].end() || !std::isfinite(it->second)) continue;
        x.push_back(it->second);
        y.push_back(truths[i]);
      }
      HWNAS_CHECK_CONFIG(x.size() >= 2, "score \"{}\" has {} finite values in {}, needs at least 2", name, x.size(),
                         file);
      Rng rng(seed);
      const auto tau_interval = estimate::bootstrap_interval(x, y, estimate::kendall_tau, rng, resamples);
      const auto rho_interval = estimate::bootstrap_interval(x, y, estimate::spearman_rho, rng, resamples);
      results.push_back({{"score", name},
                         {"n", x.size()},
                         {"kendall_tau", estimate::kendall_tau(x, y)},
                         {"kendall_tau_95", {tau_interval.low, tau_interval.high}},
                         {"spearman_rho", estimate::spearman_rho(x, y)},
                         {"spearman_rho_95", {rho_interval.low, rho_interval.high}}});
    }
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"truth", truth}, {"results", results}}.dump());
      return 0;
    }
    fmt::print("{:<16} {:>6}  {:>24}  {:>24}\n", "score", "n", "Kendall tau [95%]", "Spearman rho [95%]");
    for (const auto& r : results)
      fmt::print("{:<16} {:>6}  {:>7.4f} [{:>7.4f}, {:>7.4f}]  {:>7.4f} [{:>7.4f}, {:>7.4f}]\n",
                 r["score"].get<std::string>(), r["n"].get<std::size_t>(), r["kendall_tau"].get<double>(),
                 r["kendall_tau_95"][0].get<double>(), r["kendall_tau_95"][1].get<double>(),
                 r["spearman_rho"].get<double>(), r["spearman_rho_95"][0].get<double>(),
                 r["spearman_rho_95"][1].get<double>());
    return 0;
  }
};

}  // namespace

Command add_correlate_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("correlate", "Rank correlation of scores with a ground truth, with intervals");
  auto command = std::make_shared<CorrelateCommand>();
  auto& c = *command;
  cli->add_option("file", c.file, "JSON Lines: one architecture per line with the truth and score fields")
      ->required()
      ->check(CLI::ExistingFile);
  cli->add_option("--truth", c.truth, "the ground-truth field")->capture_default_str();
  cli->add_option("--scores", c.scores, "score fields (default: every other numeric field)")->delimiter(',');
  cli->add_option("--bootstrap", c.resamples, "bootstrap resamples for the 95% intervals")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli->add_option("--seed", c.seed, "seed of the bootstrap");
  cli->add_flag("--json", c.json, "print the result as one JSON document");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
