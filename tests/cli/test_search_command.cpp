// `hwnas search` as users run it: the output directory's files, every
// strategy through the CLI, configuration mistakes named, and a search
// killed mid-run that resumes to exactly the result of an uninterrupted one.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_hwnas.hpp"
#include "hwnas/core/io.hpp"

namespace hwnas::testing {
namespace {

namespace fs = std::filesystem;

/// A quick search: nb201 cells ranked by parameters under a MACs budget.
const std::string quick = "search --space nb201 --estimator params --cost macs --cost-budget 60e6 --no-final --quiet";

TEST(SearchCommand, WritesTheBestTheFrontTheHistoryAndTheReport) {
  const fs::path dir = fresh_dir("search-files");
  const Outcome o = run_hwnas(quick + " --budget-evals 60 --batch 20 --json --out " + dir.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto summary = nlohmann::json::parse(o.out);
  EXPECT_EQ(summary["evaluations"], 60);

  const auto history = json_lines(read_file(dir / "history.jsonl"));
  ASSERT_EQ(history.size(), 60U);
  const auto best = read_json(dir / "best.json");
  EXPECT_TRUE(best["feasible"].get<bool>());
  EXPECT_LE(best["cost"].get<double>(), 60e6);
  EXPECT_EQ(best["unit"], "MACs");
  for (const auto& c : history) {
    EXPECT_EQ(c["feasible"].get<bool>(), c["cost"].get<double>() <= 60e6);
    if (c["feasible"].get<bool>()) {
      EXPECT_LE(c["accuracy"].get<double>(), best["accuracy"].get<double>());
    }
  }
  const auto pareto = read_json(dir / "pareto.json");
  ASSERT_FALSE(pareto.empty());
  for (std::size_t i = 1; i < pareto.size(); ++i) {
    EXPECT_GT(pareto[i]["cost"].get<double>(), pareto[i - 1]["cost"].get<double>());
    EXPECT_GT(pareto[i]["accuracy"].get<double>(), pareto[i - 1]["accuracy"].get<double>());
  }
  const auto config = read_json(dir / "config.json");
  EXPECT_EQ(config["constraints"]["cost"], 60e6);
  EXPECT_EQ(config["strategy"]["name"], "evolution");
  const std::string report = read_file(dir / "report.html");
  EXPECT_NE(report.find("<svg"), std::string::npos);
  EXPECT_EQ(report.find("<script"), std::string::npos);
}

TEST(SearchCommand, RunsEveryStrategy) {
  for (const std::string strategy : {"random", "evolution", "aging-evolution", "nsga2", "rl"}) {
    SCOPED_TRACE(strategy);
    const fs::path dir = fresh_dir("search-" + strategy);
    const Outcome o =
        run_hwnas(quick + " --budget-evals 80 --strategy " + strategy + " --json --out " + dir.string());
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(nlohmann::json::parse(o.out)["evaluations"], 80);
    EXPECT_EQ(read_json(dir / "config.json")["strategy"]["name"], strategy);
  }
}

TEST(SearchCommand, LeavesTheBudgetToTheSpaceWhenNoneIsGiven) {
  const fs::path dir = fresh_dir("search-median");
  const Outcome o = run_hwnas(
      "search --space nb201 --estimator params --cost macs --no-final --quiet --budget-evals 20 --out " + dir.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto history = json_lines(read_file(dir / "history.jsonl"));
  const auto feasible = std::ranges::count_if(history, [](const nlohmann::json& c) { return c["feasible"].get<bool>(); });
  EXPECT_GT(feasible, 0) << "the median cost of sampled cells admits about half of them";
  EXPECT_LT(feasible, 20);
  EXPECT_TRUE(read_json(dir / "config.json")["constraints"]["cost"].is_number()) << "resolved and recorded";
}

TEST(SearchCommand, TrainsFromScratchOnceAndThenReadsTheCache) {
  const fs::path dir = fresh_dir("search-scratch");
  const nlohmann::json config = {
      {"space", "ofa-fmnist"},
      {"estimator",
       {{"name", "scratch"}, {"data", "synthetic"}, {"train_subset", 128}, {"cache", (dir / "cache.jsonl").string()}}},
      {"cost", {{"name", "macs"}}},
      {"constraints", {{"cost", 1e12}}},
      {"strategy", {{"name", "random"}}},
      {"budget", {{"evaluations", 2}}},
      {"final", {{"epochs", 1}, {"train_subset", 128}, {"data", "synthetic"}, {"measure", false}}}};
  write_file_atomically(dir / "config.json", config.dump());
  const auto search = [&](const std::string& out) {
    const Outcome o = run_hwnas("search --quiet --config " + (dir / "config.json").string() + " --out " +
                                (dir / out).string());
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return json_lines(read_file(dir / out / "history.jsonl"));
  };
  const auto trained = search("first");
  ASSERT_EQ(trained.size(), 2U);
  const auto final = read_json(dir / "first" / "best.json")["final"];
  EXPECT_EQ(final["train_subset"], 128);
  EXPECT_EQ(final["data"], "synthetic") << "the best is trained and tested on the configured data";
  EXPECT_EQ(final["test_images"], 600);
  EXPECT_GE(final["test_acc"].get<double>(), 0.0);
  EXPECT_EQ(json_lines(read_file(dir / "cache.jsonl")).size(), 2U);
  const auto cached = search("second");
  ASSERT_EQ(cached.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(cached[i]["accuracy"], trained[i]["accuracy"]);
    EXPECT_LT(cached[i]["seconds"].get<double>(), trained[i]["seconds"].get<double>() / 2) << "not retrained";
  }
}

TEST(SearchCommand, RunsSmashAndNet2NetWithMorphismHillClimbing) {
  const fs::path dir = fresh_dir("search-inherit");
  const fs::path hypernet = dir / "hypernet";
  const std::string train = "hypernet train --data synthetic --train-subset 64 --batch-size 32 --val-size 100 "
                            "--recalibration-images 32 --quiet --json --out " + hypernet.string();
  const Outcome trained = run_hwnas(train);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(nlohmann::json::parse(trained.out)["steps"], 2);
  ASSERT_TRUE(fs::exists(hypernet / "hypernet.state"));
  expect_bad_input(train, "holds a run already");

  const auto search = [&](const std::string& name, const nlohmann::json& estimator, const std::string& strategy) {
    const nlohmann::json config = {{"space", "ofa-fmnist"},         {"estimator", estimator},
                                   {"cost", {{"name", "macs"}}},    {"constraints", {{"cost", 1e12}}},
                                   {"strategy", {{"name", strategy}}}, {"budget", {{"evaluations", 4}}},
                                   {"batch", 2},                     {"final", nullptr}};
    write_file_atomically(dir / (name + ".json"), config.dump());
    const Outcome o = run_hwnas("search --quiet --config " + (dir / (name + ".json")).string() + " --out " +
                                (dir / name).string());
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const auto history = json_lines(read_file(dir / name / "history.jsonl"));
    EXPECT_EQ(history.size(), 4U);
    for (const auto& c : history) {
      EXPECT_GE(c["accuracy"].get<double>(), 0.0);
      EXPECT_LE(c["accuracy"].get<double>(), 1.0);
    }
    return history;
  };
  search("smash",
         {{"name", "smash"}, {"dir", hypernet.string()}, {"data", "synthetic"}, {"recalibration_images", 32}},
         "random");
  const auto climbed = search("net2net",
                              {{"name", "net2net"},
                               {"data", "synthetic"},
                               {"root", {{"train_subset", 128}, {"batch_size", 32}}},
                               {"fine_tune", {{"train_subset", 64}, {"batch_size", 32}}}},
                              "morphism");
  EXPECT_EQ(climbed[0]["arch"]["d"], nlohmann::json({2, 2, 2, 2})) << "the climb starts from the smallest";
  // The root is trained for the first candidate only; the others inherit.
  EXPECT_GT(climbed[0]["seconds"].get<double>(), climbed[1]["seconds"].get<double>());

  expect_bad_input("search --quiet --space ofa-fmnist --estimator smash --cost macs",
                   "hypernet-out: no trained hypernetwork there");
  expect_bad_input("search --quiet --space nb201 --estimator net2net --cost macs", "only for ofa-fmnist");
}

TEST(SearchCommand, NamesTheFieldOfABadConfiguration) {
  const fs::path dir = fresh_dir("search-config");
  const auto config_with = [&](const std::string& name, const nlohmann::json& json) {
    const fs::path path = dir / (name + ".json");
    write_file_atomically(path, json.dump());
    return "search --quiet --out " + (dir / "out").string() + " --config " + path.string();
  };
  const nlohmann::json base = {{"space", "nb201"}, {"estimator", {{"name", "params"}}}, {"cost", {{"name", "macs"}}}};
  auto typo = base;
  typo["strategy"] = {{"name", "evolution"}, {"popsize", 10}};
  expect_bad_input(config_with("typo", typo), "strategy: unknown field 'popsize'");
  auto mistyped = base;
  mistyped["strategy"] = {{"name", "evolution"}, {"population", "ten"}};
  expect_bad_input(config_with("mistyped", mistyped), "strategy.population: expected an integer");
  auto unknown = base;
  unknown["strategy"] = {{"name", "annealing"}};
  expect_bad_input(config_with("unknown", unknown), "unknown strategy 'annealing'");
  auto budget = base;
  budget["budget"] = {{"evaluations", 0}};
  expect_bad_input(config_with("budget", budget), "budget.evaluations: must be at least 1");
  auto top = base;
  top["objectiv"] = "pareto";
  expect_bad_input(config_with("top", top), "search config: unknown field 'objectiv'");
  auto impossible = base;
  impossible["constraints"] = {{"cost", -1}};
  expect_bad_input(config_with("impossible", impossible), "constraints.cost: must be positive");
  write_file_atomically(dir / "malformed.json", "{\"space\": ");
  expect_bad_input("search --quiet --config " + (dir / "malformed.json").string(), "not valid JSON");

  expect_bad_input("search --quiet --space nb201 --estimator zen --cost lut", "nb201");
  expect_bad_input("search --quiet --space nb201 --estimator nope --cost macs", "nope");
  expect_bad_input("search --quiet --space nb201 --estimator params --cost macs --latency-budget-ms 2",
                   "--latency-budget-ms needs a latency cost");
  expect_bad_input("search --quiet --resume " + (dir / "nothing").string(), "no search to resume");
}

/// The figures of a search's files, timings left out.
std::vector<nlohmann::json> outcome_of(const fs::path& dir) {
  std::vector<nlohmann::json> out = json_lines(read_file(dir / "history.jsonl"));
  out.push_back(read_json(dir / "best.json"));
  for (const auto& c : read_json(dir / "pareto.json")) out.push_back(c);
  for (auto& c : out) c.erase("seconds");
  return out;
}

TEST(SearchCommand, AKilledSearchResumesToTheUninterruptedResult) {
  // Zen-score takes a few milliseconds per cell: slow enough to kill mid-run.
  const std::string search =
      "search --space nb201 --estimator zen --cost macs --cost-budget 40e6 --budget-evals 100 --batch 10 "
      "--checkpoint-seconds 0 --no-final --quiet --seed 3 --out ";
  const fs::path whole = fresh_dir("search-whole");
  ASSERT_EQ(run_hwnas(search + whole.string()).exit_code, 0);

  const fs::path cut = fresh_dir("search-cut");
  ASSERT_TRUE(kill_once_written(search + cut.string(), cut / "checkpoint.json"));
  const auto saved = read_json(cut / "checkpoint.json");
  ASSERT_LT(saved["history"].size(), 100U) << "killed before the end";
  EXPECT_FALSE(fs::exists(cut / "best.json"));

  expect_bad_input("search --quiet --resume " + cut.string() + " --seed 4", "give no other settings");
  const Outcome resumed = run_hwnas("search --quiet --resume " + cut.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(outcome_of(cut), outcome_of(whole));
}

}  // namespace
}  // namespace hwnas::testing
