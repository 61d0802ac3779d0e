// Search strategies: ask/tell contracts, resuming from saved state to the
// same candidates, Once-for-All's evolution rules (feasible members only,
// the mutant/crossover split, parents kept), and evolution beating random
// search on a seeded nb201 problem.

#include <algorithm>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/search/evolution.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "support/expect.hpp"

namespace hwnas::search {
namespace {

static_assert(SearchStrategy<RandomSearch<space::OfaFmnistSpace>, space::OfaFmnistSpace>);
static_assert(SearchStrategy<Evolution<space::Nb201Space>, space::Nb201Space>);
static_assert(SearchStrategy<Evolution<space::AnySpace>, space::AnySpace>);

/// A stand-in accuracy with a known best: 3x3 convolutions on every edge.
double conv3x3_count(const space::Nb201Arch& arch) {
  return static_cast<double>(std::ranges::count(arch.cell, models::Nb201Op::nor_conv_3x3));
}

/// Feasible unless the cell holds more than `limit` 3x3 convolutions: a constraint the optimum violates.
template <class Strategy>
double run(Strategy& strategy, std::int64_t evaluations, std::int64_t batch, int limit = 6) {
  double best = -1.0;
  for (std::int64_t done = 0; done < evaluations; done += batch) {
    const auto archs = strategy.ask(batch);
    std::vector<Evaluation> results;
    for (const auto& arch : archs) {
      const double accuracy = conv3x3_count(arch);
      const bool feasible = accuracy <= limit;
      results.push_back({accuracy, 0.0, feasible});
      if (feasible) best = std::max(best, accuracy);
    }
    strategy.tell(archs, results);
  }
  return best;
}

TEST(RandomSearch, IsSeededAndResumesToTheSameCandidates) {
  const space::OfaFmnistSpace space;
  RandomSearch<space::OfaFmnistSpace> a(space, 4);
  RandomSearch<space::OfaFmnistSpace> b(space, 4);
  EXPECT_EQ(a.ask(3), b.ask(3));
  const auto saved = a.state();
  const auto next = a.ask(5);
  RandomSearch<space::OfaFmnistSpace> resumed(space, 4);
  resumed.restore(saved);
  EXPECT_EQ(resumed.ask(2), std::vector(next.begin(), next.begin() + 2)) << "batching does not change candidates";
  RandomSearch<space::OfaFmnistSpace> other(space, 5);
  testing::expect_error_containing<ConfigError>([&] { other.restore(saved); }, "cannot resume");
}

TEST(Evolution, KeepsOnlyFeasibleMembersAndSplitsChildrenAsOfa) {
  const space::Nb201Space space;
  Evolution<space::Nb201Space> evolution(space, EvolutionOptions{}.population(20).seed(1));
  (void)run(evolution, 400, 10, /*limit=*/3);
  EXPECT_GE(evolution.generation(), 3);
  const auto state = evolution.state();
  for (const auto& member : state["population"]) EXPECT_TRUE(member["feasible"].get<bool>());
  EXPECT_EQ(state["population"].size(), 25U) << "5 parents (ratio 0.25) and 20 children";
  std::map<int, int> kinds;
  for (std::size_t i = 5; i < 25; ++i) ++kinds[state["population"][i]["kind"].get<int>()];
  EXPECT_EQ(kinds[1], 10) << "mutants: round(0.5 x 20)";
  EXPECT_EQ(kinds[2], 10) << "crossovers: the rest";
  // The parents are the best of the previous population.
  const auto& pop = state["population"];
  for (std::size_t i = 1; i < 5; ++i)
    EXPECT_GE(pop[i - 1]["accuracy"].get<double>(), pop[i]["accuracy"].get<double>());
}

TEST(Evolution, ResumesFromItsStateToTheSameCandidates) {
  const space::Nb201Space space;
  const auto options = EvolutionOptions{}.population(12).seed(3);
  Evolution<space::Nb201Space> whole(space, options);
  (void)run(whole, 90, 6);
  const auto saved = whole.state();
  const auto next = whole.ask(7);

  Evolution<space::Nb201Space> resumed(space, options);
  resumed.restore(nlohmann::json::parse(saved.dump()));
  EXPECT_EQ(resumed.ask(7), next);
  EXPECT_EQ(resumed.state(), whole.state());
}

TEST(Evolution, FindsBetterArchitecturesThanRandomSearchUnderAConstraint) {
  // Best feasible: 5 of 6 edges 3x3 convolutions (the all-3x3 cell breaks the constraint).
  const space::Nb201Space space;
  double evolution_total = 0.0;
  double random_total = 0.0;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    Evolution<space::Nb201Space> evolution(space, EvolutionOptions{}.population(20).seed(seed));
    RandomSearch<space::Nb201Space> random(space, seed);
    evolution_total += run(evolution, 200, 10, 5);
    random_total += run(random, 200, 10, 5);
  }
  EXPECT_EQ(evolution_total, 25.0) << "evolution reaches the feasible optimum with every seed";
  EXPECT_LT(random_total, evolution_total);
}

TEST(Evolution, RejectsBadSettingsAndMismatchedTells) {
  const space::Nb201Space space;
  testing::expect_error_containing<ConfigError>(
      [&] { Evolution<space::Nb201Space>(space, EvolutionOptions{}.population(1)); }, "at least 2");
  testing::expect_error_containing<ConfigError>(
      [&] { Evolution<space::Nb201Space>(space, EvolutionOptions{}.parent_ratio(0.0)); }, "parent ratio");
  Evolution<space::Nb201Space> evolution(space, EvolutionOptions{});
  const auto archs = evolution.ask(2);
  testing::expect_error_containing<ConfigError>([&] { evolution.tell(archs, {Evaluation{}}); },
                                                "told 2 candidates with 1 evaluations");
}

}  // namespace
}  // namespace hwnas::search
