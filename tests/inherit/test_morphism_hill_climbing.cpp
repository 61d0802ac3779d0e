// NASH's hill climbing as a search strategy: children are a few morphisms
// from the current best, the best feasible one is kept, a Searcher climbs
// with it round over round, and a restored search continues identically.

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/cost/size_costs.hpp"
#include "hwnas/inherit/morphism_hill_climbing.hpp"
#include "hwnas/search/searcher.hpp"
#include "support/expect.hpp"

namespace hwnas::inherit {
namespace {

using space::OfaFmnistArch;
using Climbing = MorphismHillClimbing<space::OfaFmnistSpace>;
using Macs = cost::SizeCost<space::OfaFmnistSpace>;

static_assert(search::SearchStrategy<Climbing, space::OfaFmnistSpace>);
static_assert(search::SearchStrategy<MorphismHillClimbing<space::AnySpace>, space::AnySpace>);

const space::OfaFmnistSpace space;

/// A stand-in accuracy that every morphism raises: the active blocks'
/// kernel sizes and expand ratios, summed.
double growth(const OfaFmnistArch& arch) {
  double sum = 0.0;
  for (std::size_t b = 0; b < OfaFmnistArch::blocks; ++b)
    if (static_cast<std::int64_t>(b % 4) < arch.d[b / 4]) sum += static_cast<double>(arch.ks[b] + arch.e[b]);
  return sum;
}

struct GrowthAccuracy {
  [[nodiscard]] std::string_view name() const { return "growth"; }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] estimate::Estimate estimate(const OfaFmnistArch& arch) const { return {growth(arch), {}}; }
};

/// Records the best accuracy after every round.
struct BestPerRound {
  std::vector<double>* best;
  template <class S>
  void on_round(const S& searcher) {
    best->push_back(searcher.best() ? searcher.best()->accuracy : -1.0);
  }
};

auto make_searcher(std::int64_t evaluations, std::int64_t budget) {
  return search::Searcher(
      space, GrowthAccuracy{}, Macs(space, Macs::Measure::macs), Climbing(space, MorphismHillClimbingOptions{}.seed(11)),
      search::SearchOptions{}.batch(4).max_evaluations(evaluations).cost_budget(static_cast<double>(budget)));
}

std::vector<std::string> canonicals(const auto& history) {
  std::vector<std::string> out;
  for (const auto& c : history) out.push_back(space.canonical(c.arch) + " " + std::to_string(c.accuracy));
  return out;
}

TEST(MorphismHillClimbing, AsksTheStartThenChildrenOfTheCurrentBest) {
  Climbing climbing(space, MorphismHillClimbingOptions{}.max_morphisms(3).seed(1));
  const auto first = climbing.ask(3);
  EXPECT_EQ(first[0], morphism_root(28)) << "the default start: the smallest architecture at 28 pixels";
  for (std::size_t i = 1; i < first.size(); ++i) {
    const auto distance = morphism_distance(first[0], first[i]);
    ASSERT_TRUE(distance.has_value());
    EXPECT_GE(*distance, 1);
    EXPECT_LE(*distance, 3);
  }
  // The best feasible is kept; infeasible and NaN candidates never are.
  climbing.tell(first, {{1.0, 0.0, true}, {5.0, 0.0, false}, {std::nan(""), 0.0, true}});
  EXPECT_EQ(climbing.current(), first[0]);
  const auto next = climbing.ask(2);
  climbing.tell(next, {{0.5, 0.0, true}, {2.0, 0.0, true}});
  EXPECT_EQ(climbing.current(), next[1]);
  ASSERT_TRUE(climbing.current_evaluation().has_value());
  EXPECT_EQ(climbing.current_evaluation()->accuracy, 2.0);
}

TEST(MorphismHillClimbing, ClimbsInASearcherUnderAMacsBudget) {
  const std::int64_t budget = space.macs(morphism_root(28)) * 3;
  auto searcher = make_searcher(60, budget);
  std::vector<double> best;
  const auto result = searcher.run(BestPerRound{&best});
  ASSERT_TRUE(result.best.has_value());
  EXPECT_LE(result.best->cost, static_cast<double>(budget));
  ASSERT_EQ(best.size(), 15U);
  std::int64_t improvements = 0;
  for (std::size_t r = 1; r < best.size(); ++r) {
    EXPECT_GE(best[r], best[r - 1]) << "round " << r;
    if (best[r] > best[r - 1]) ++improvements;
  }
  EXPECT_GE(improvements, 5) << "the best improves round over round: " << ::testing::PrintToString(best);
  EXPECT_GT(best.back(), growth(morphism_root(28)) + 10.0);
}

TEST(MorphismHillClimbing, ResumesASearchIdentically) {
  const std::int64_t budget = space.macs(morphism_root(28)) * 13 / 10;
  auto whole = make_searcher(40, budget);
  const auto expected = whole.run();

  auto first_half = make_searcher(20, budget);
  (void)first_half.run();
  auto resumed = make_searcher(40, budget);
  resumed.restore(nlohmann::json::parse(first_half.state().dump()));
  const auto result = resumed.run();
  EXPECT_EQ(canonicals(result.history), canonicals(expected.history));

  Climbing other(space, MorphismHillClimbingOptions{}.seed(12));
  testing::expect_error_containing<ConfigError>([&] { other.restore(first_half.strategy().state()); },
                                                "cannot resume");
}

TEST(MorphismHillClimbing, ServesAnySpaceHoldingOfaFmnistOnly) {
  const space::AnySpace any = space::make_space("ofa-fmnist");
  OfaFmnistArch start = morphism_root(32);
  MorphismHillClimbing<space::AnySpace> climbing(any, MorphismHillClimbingOptions{}.start(start).seed(2));
  const auto archs = climbing.ask(2);
  EXPECT_EQ(archs[0].get<OfaFmnistArch>("test"), start);
  EXPECT_EQ(archs[1].get<OfaFmnistArch>("test").r, 32);
  climbing.tell(archs, {{1.0, 0.0, true}, {2.0, 0.0, true}});
  EXPECT_EQ(space::AnyArch(climbing.current()), archs[1]);

  const space::AnySpace nb201 = space::make_space("nb201");
  testing::expect_error_containing<ConfigError>(
      [&] { (void)MorphismHillClimbing<space::AnySpace>(nb201, {}); }, "ofa-fmnist architectures only, not on 'nb201'");
  Rng rng(3);
  testing::expect_error_containing<ConfigError>(
      [&] { climbing.tell({nb201.sample(rng)}, {{9.0, 0.0, true}}); }, "ofa-fmnist only");
  testing::expect_error_containing<ConfigError>(
      [&] { (void)Climbing(space, MorphismHillClimbingOptions{}.max_morphisms(0)); }, "max_morphisms must be >= 1");
  start.ks[0] = 4;
  testing::expect_error_containing<ConfigError>(
      [&] { (void)Climbing(space, MorphismHillClimbingOptions{}.start(start)); }, "ks");
}

}  // namespace
}  // namespace hwnas::inherit
