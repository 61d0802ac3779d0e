// The Searcher facade: constraints decide feasibility before any accuracy
// is estimated, repeats are estimated once, budgets and callbacks end the
// search, the result's best and Pareto front are what the history says,
// parallel evaluation changes nothing, and a restored search (also through
// the checkpoint and history files) ends exactly as an uninterrupted one.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/cost/concepts.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/search/callbacks.hpp"
#include "hwnas/search/evolution.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/search/searcher.hpp"
#include "hwnas/space/nb201.hpp"
#include "support/expect.hpp"

namespace hwnas::search {
namespace {

using space::Nb201Arch;
using space::Nb201Space;

/// Accuracy stand-in: 3x3 convolutions in the cell, plus a little for 1x1s; counts its calls.
class ConvCount {
 public:
  explicit ConvCount(bool thread_safe = false) : thread_safe_(thread_safe) {}
  [[nodiscard]] std::string_view name() const { return "conv-count"; }
  [[nodiscard]] bool thread_safe() const { return thread_safe_; }
  [[nodiscard]] estimate::Estimate estimate(const Nb201Arch& arch) {
    ++*calls;
    double value = 0.0;
    for (auto op : arch.cell)
      value += op == models::Nb201Op::nor_conv_3x3 ? 1.0 : op == models::Nb201Op::nor_conv_1x1 ? 0.25 : 0.0;
    return {value, {}};
  }
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

 private:
  bool thread_safe_;
};

/// Cost stand-in: millions of MACs.
struct Mmacs {
  Nb201Space space;
  [[nodiscard]] std::string_view name() const { return "mmacs"; }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] cost::Cost cost(const Nb201Arch& arch) const {
    return {static_cast<double>(space.macs(arch)) / 1e6, "MMACs", ""};
  }
};

using Search = Searcher<Nb201Space, ConvCount, Mmacs, Evolution<Nb201Space>>;

Search make_search(SearchOptions options, std::uint64_t seed = 1, bool thread_safe = false) {
  const Nb201Space space;
  return Search(space, ConvCount(thread_safe), Mmacs{space},
                Evolution<Nb201Space>(space, EvolutionOptions{}.population(20).seed(seed)), options);
}

SearchOptions small_budget() { return SearchOptions{}.cost_budget(100.0).max_evaluations(200).batch(20); }

/// The history with timings left out, for comparing runs.
std::vector<nlohmann::json> figures(const SearchResult<Nb201Arch>& result) {
  std::vector<nlohmann::json> out;
  for (const auto& c : result.history) {
    auto j = candidate_json(Nb201Space{}, c);
    j.erase("seconds");
    out.push_back(std::move(j));
  }
  return out;
}

TEST(Searcher, EstimatesOnlyFeasibleNewArchitecturesAndRecordsEveryCandidate) {
  auto searcher = make_search(small_budget());
  const auto calls = searcher.estimator().calls;
  const auto result = searcher.run();
  ASSERT_EQ(result.history.size(), 200U);
  EXPECT_EQ(result.stopped_by, "evaluations");
  const Nb201Space space;
  std::set<std::string> estimated;
  for (std::size_t i = 0; i < result.history.size(); ++i) {
    const auto& c = result.history[i];
    EXPECT_EQ(c.index, static_cast<std::int64_t>(i));
    EXPECT_EQ(c.round, static_cast<std::int64_t>(i / 20));
    EXPECT_EQ(c.feasible, c.cost <= 100.0);
    EXPECT_EQ(c.params, space.params(c.arch));
    EXPECT_EQ(std::isnan(c.accuracy), !c.feasible) << "infeasible candidates are not estimated";
    const bool first = estimated.insert(space.canonical(c.arch)).second;
    EXPECT_EQ(c.cached, !first) << "repeats take the first one's figures";
  }
  EXPECT_LT(estimated.size(), 200U) << "evolution proposes repeats";
  const auto feasible_networks = std::ranges::count_if(result.history, [](const auto& c) {
    return c.feasible && !c.cached;
  });
  EXPECT_EQ(*calls, feasible_networks);
  EXPECT_EQ(result.estimates, feasible_networks);
}

TEST(Searcher, BestAndParetoFrontAgreeWithTheHistory) {
  auto result = make_search(small_budget()).run();
  ASSERT_TRUE(result.best.has_value());
  for (const auto& c : result.history) {
    if (c.feasible) EXPECT_LE(c.accuracy, result.best->accuracy);
  }
  ASSERT_FALSE(result.pareto.empty());
  EXPECT_TRUE(std::ranges::is_sorted(result.pareto, {}, [](const auto& c) { return c.cost; }));
  EXPECT_EQ(result.pareto.back().accuracy, result.best->accuracy) << "the most accurate is on the front";
  for (const auto& c : result.history) {
    if (!c.feasible) continue;
    // Every feasible candidate is matched or beaten on both counts by a front member ...
    EXPECT_TRUE(std::ranges::any_of(result.pareto, [&](const auto& p) {
      return p.accuracy >= c.accuracy && p.cost <= c.cost;
    }));
    // ... and beats no front member on both counts.
    for (const auto& p : result.pareto)
      EXPECT_FALSE(c.accuracy >= p.accuracy && c.cost <= p.cost && (c.accuracy > p.accuracy || c.cost < p.cost));
  }
}

TEST(Searcher, ParallelEvaluationGivesTheSameResult) {
  const auto serial = make_search(small_budget().parallel(false), 2, true).run();
  const auto parallel = make_search(small_budget(), 2, true).run();
  EXPECT_EQ(figures(serial), figures(parallel));
}

TEST(Searcher, StopsOnTheTimeBudget) {
  const auto result = make_search(small_budget().max_evaluations(1'000'000).max_seconds(0.05)).run();
  EXPECT_EQ(result.stopped_by, "time");
  EXPECT_GE(result.seconds, 0.05);
}

struct Recorder {
  template <class S>
  void on_start(const S& s) {
    events.push_back("start " + std::to_string(s.history().size()));
  }
  template <class S>
  Control on_round(const S& s) {
    events.push_back("round " + std::to_string(s.round_begin()) + "-" + std::to_string(s.history().size()));
    return s.rounds() == 3 ? Control::stop : Control::proceed;
  }
  template <class S>
  void on_finish(const S&) {
    events.push_back("finish");
  }
  std::vector<std::string> events;
};

TEST(Searcher, CallbacksSeeEveryRoundAndCanStopTheSearch) {
  Recorder recorder;
  const auto result = make_search(small_budget()).run(recorder);
  EXPECT_EQ(recorder.events,
            (std::vector<std::string>{"start 0", "round 0-20", "round 20-40", "round 40-60", "finish"}));
  EXPECT_EQ(result.stopped_by, "callback");
  EXPECT_EQ(result.history.size(), 60U);
}

TEST(Searcher, EarlyStopEndsASearchThatNoLongerImproves) {
  // Without a budget binding, evolution reaches the all-3x3 optimum quickly and then cannot improve.
  auto searcher = make_search(SearchOptions{}.max_evaluations(100'000).batch(20));
  const auto result = searcher.run(EarlyStop(5));
  EXPECT_EQ(result.stopped_by, "callback");
  EXPECT_EQ(result.best->accuracy, 6.0);
  EXPECT_EQ(searcher.rounds() - 1 - searcher.last_improvement(), 5);
  testing::expect_error_containing<ConfigError>([] { EarlyStop(0); }, "patience");
}

TEST(Searcher, ParetoObjectiveCountsNewFrontMembersAsProgress) {
  auto accuracy = make_search(small_budget().max_evaluations(2000));
  auto pareto = make_search(small_budget().max_evaluations(2000).objective(Objective::pareto));
  (void)accuracy.run(EarlyStop(3));
  (void)pareto.run(EarlyStop(3));
  // Accuracy: the round that first reached the best estimate. Pareto: the last round
  // whose candidate no earlier candidate matched or beat on both counts.
  const auto& best = *accuracy.best();
  EXPECT_EQ(accuracy.last_improvement(), best.round);
  std::int64_t last_new_front_member = -1;
  const auto& history = pareto.history();
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (!history[i].ranked() || history[i].cached) continue;
    const auto earlier = std::span(history).first(i);
    const bool covered = std::ranges::any_of(earlier, [&](const auto& c) {
      return c.ranked() && c.accuracy >= history[i].accuracy && c.cost <= history[i].cost;
    });
    if (!covered) last_new_front_member = history[i].round;
  }
  EXPECT_EQ(pareto.last_improvement(), last_new_front_member);
  EXPECT_GT(pareto.last_improvement(), accuracy.last_improvement()) << "the front keeps growing after the best";
}

TEST(Searcher, RestoredSearchEndsExactlyAsAnUninterruptedOne) {
  const auto whole = make_search(small_budget()).run();

  auto first = make_search(small_budget());
  Recorder stop_after_three;
  (void)first.run(stop_after_three);
  const nlohmann::json saved = nlohmann::json::parse(first.state().dump());

  auto resumed = make_search(small_budget());
  resumed.restore(saved);
  EXPECT_EQ(resumed.history().size(), 60U);
  const auto result = resumed.run();
  EXPECT_EQ(figures(result), figures(whole));
  EXPECT_EQ(result.best->index, whole.best->index);
  EXPECT_EQ(result.estimates, whole.estimates);
}

TEST(Searcher, CheckpointAndHistoryFilesResumeAfterAnInterruption) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "hwnas-searcher-files";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto whole = make_search(small_budget()).run();

  {
    auto first = make_search(small_budget());
    Recorder stop_after_three;
    (void)first.run(Checkpoint(dir / "checkpoint.json", 0.0), HistoryLogger(dir / "history.jsonl"),
                    stop_after_three);
    // Lines a killed run wrote after its last checkpoint.
    std::ofstream(dir / "history.jsonl", std::ios::app) << "{\"index\": 60, \"trunc";
  }
  auto resumed = make_search(small_budget());
  const auto saved = Checkpoint::load(dir / "checkpoint.json");
  ASSERT_TRUE(saved.has_value());
  resumed.restore(*saved);
  const auto result = resumed.run(Checkpoint(dir / "checkpoint.json"), HistoryLogger(dir / "history.jsonl"));
  EXPECT_EQ(figures(result), figures(whole));

  std::vector<nlohmann::json> lines;
  std::ifstream in(dir / "history.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 200U);
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(candidate_from_json(Nb201Space{}, lines[i]), result.history[i]);
  EXPECT_FALSE(Checkpoint::load(dir / "missing.json").has_value());
  write_file_atomically(dir / "corrupt.json", "{\"space\":");
  testing::expect_error_containing<IoError>([&] { (void)Checkpoint::load(dir / "corrupt.json"); }, "corrupt");
}

TEST(Searcher, RejectsAnImpossibleBudgetAndAnotherSearchsState) {
  testing::expect_error_containing<ConfigError>([] { (void)make_search(SearchOptions{}.max_evaluations(0)); },
                                                "at least one evaluation");
  auto searcher = make_search(small_budget());
  testing::expect_error_containing<ConfigError>(
      [&] { searcher.restore({{"space", "ofa-fmnist"}, {"history", nlohmann::json::array()}}); },
      "cannot resume a search over 'ofa-fmnist'");
  auto other_seed = make_search(small_budget(), 9);
  testing::expect_error_containing<ConfigError>(
      [&] { other_seed.restore(make_search(small_budget()).state()); }, "cannot resume");
}

/// Fails on the tenth network it is asked about.
struct FailingEstimator {
  [[nodiscard]] std::string_view name() const { return "failing"; }
  [[nodiscard]] estimate::Estimate estimate(const Nb201Arch&) {
    if (++calls == 10) throw DataError("failing: no data for this one");
    return {1.0, {}};
  }
  int calls = 0;
};

TEST(Searcher, AFailedEvaluationKeepsOnlyEvaluatedCandidates) {
  const Nb201Space space;
  Searcher searcher(space, FailingEstimator{}, Mmacs{space}, RandomSearch<Nb201Space>(space, 0),
                    SearchOptions{}.max_evaluations(100).batch(8));
  testing::expect_error_containing<DataError>([&] { (void)searcher.run(); }, "no data for this one");
  EXPECT_EQ(searcher.history().size(), 8U) << "the first round only";
  for (const auto& c : searcher.history()) EXPECT_EQ(c.accuracy, 1.0);
}

TEST(Searcher, ReportsWhenNothingIsFeasible) {
  const auto result = make_search(small_budget().cost_budget(0.0)).run();
  EXPECT_FALSE(result.best.has_value());
  EXPECT_TRUE(result.pareto.empty());
  EXPECT_EQ(result.estimates, 0);
}

}  // namespace
}  // namespace hwnas::search
