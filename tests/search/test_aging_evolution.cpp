// Aging evolution: random first population, mutants of tournament winners
// (feasible first, never equal to their parent), the population as a queue
// the oldest leave, resuming and batching to the same candidates, and
// beating random search on a seeded nb201 problem.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/search/aging_evolution.hpp"
#include "hwnas/search/nsga2.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/nb201.hpp"
#include "support/expect.hpp"

namespace hwnas::search {
namespace {

using Space = space::Nb201Space;
using Arch = space::Nb201Arch;
using models::Nb201Op;

static_assert(SearchStrategy<AgingEvolution<Space>, Space>);
static_assert(SearchStrategy<AgingEvolution<space::AnySpace>, space::AnySpace>);

/// How many edges differ.
int distance(const Arch& a, const Arch& b) {
  int d = 0;
  for (std::size_t e = 0; e < a.cell.size(); ++e) d += a.cell[e] != b.cell[e];
  return d;
}

/// A stand-in accuracy with one best cell, worth 21: each edge that matches
/// it earns its weight (1 to 6), so random search rarely finds it.
double match_score(const Arch& arch) {
  constexpr models::Nb201Cell best{Nb201Op::nor_conv_3x3, Nb201Op::skip_connect, Nb201Op::nor_conv_1x1,
                                   Nb201Op::avg_pool_3x3, Nb201Op::nor_conv_3x3, Nb201Op::none};
  double score = 0.0;
  for (std::size_t e = 0; e < best.size(); ++e)
    if (arch.cell[e] == best[e]) score += static_cast<double>(e + 1);
  return score;
}

std::vector<Evaluation> evaluate(const std::vector<Arch>& archs) {
  std::vector<Evaluation> out;
  for (const auto& arch : archs) out.push_back({match_score(arch), 0.0, true});
  return out;
}

/// The best score found in `evaluations` candidates asked and told `batch` at a time.
template <class Strategy>
double best_found(Strategy& strategy, std::int64_t evaluations, std::int64_t batch) {
  double best = 0.0;
  for (std::int64_t done = 0; done < evaluations; done += batch) {
    const auto archs = strategy.ask(batch);
    const auto results = evaluate(archs);
    for (const auto& r : results) best = std::max(best, r.accuracy);
    strategy.tell(archs, results);
  }
  return best;
}

TEST(AgingEvolution, AsksRandomCandidatesUntilThePopulationIsFullAndWhileNothingIsTold) {
  const Space space;
  AgingEvolution<Space> aging(space, AgingEvolutionOptions{}.population(8).sample_size(3).seed(7));
  RandomSearch<Space> random(space, 7);
  EXPECT_EQ(aging.ask(11), random.ask(11)) << "nothing told: random past the population too";
  EXPECT_EQ(aging.asked(), 11U);
}

TEST(AgingEvolution, ThePopulationIsAQueueTheOldestLeave) {
  const Space space;
  AgingEvolution<Space> aging(space, AgingEvolutionOptions{}.population(5).sample_size(2).seed(1));
  std::vector<Arch> told;
  std::vector<Evaluation> evaluations;
  for (const std::int64_t batch : {3, 4, 2}) {
    const auto archs = aging.ask(batch);
    std::vector<Evaluation> results;
    for (std::size_t i = 0; i < archs.size(); ++i) {
      // The best member arrives first: it must leave when its time comes anyway.
      results.push_back({told.empty() && i == 0 ? 100.0 : static_cast<double>(told.size() + i), 1.0, true});
    }
    aging.tell(archs, results);
    told.insert(told.end(), archs.begin(), archs.end());
    evaluations.insert(evaluations.end(), results.begin(), results.end());
    ASSERT_EQ(std::ssize(aging.population()), std::min<std::int64_t>(5, std::ssize(told)));
  }
  // Nine told, five live: the last five, oldest first.
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(aging.population()[i].arch, told[4 + i]);
    EXPECT_EQ(aging.population()[i].evaluation, evaluations[4 + i]);
  }
}

TEST(AgingEvolution, MutantsDifferFromTheirParent) {
  const Space space;
  // One member: every tournament picks it.
  AgingEvolution<Space> aging(space, AgingEvolutionOptions{}.population(1).sample_size(1).mutate_prob(0.3).seed(2));
  const auto first = aging.ask(1);
  aging.tell(first, {{1.0, 1.0, true}});
  for (const auto& child : aging.ask(200)) EXPECT_NE(child, first[0]);
}

TEST(AgingEvolution, TournamentsPreferFeasibleMembersOverMoreAccurateInfeasibleOnes) {
  const Space space;
  const auto options = AgingEvolutionOptions{}.population(2).sample_size(2).mutate_prob(0.05).seed(3);
  AgingEvolution<Space> aging(space, options);
  const Arch infeasible{{Nb201Op::none, Nb201Op::none, Nb201Op::none, Nb201Op::none, Nb201Op::none, Nb201Op::none}};
  const Arch feasible{{Nb201Op::nor_conv_3x3, Nb201Op::nor_conv_3x3, Nb201Op::nor_conv_3x3, Nb201Op::nor_conv_3x3,
                       Nb201Op::nor_conv_3x3, Nb201Op::nor_conv_3x3}};
  (void)aging.ask(2);
  aging.tell({infeasible, feasible}, {{100.0, 1.0, false}, {1.0, 1.0, true}});
  // Both draws must hit the infeasible member (1 in 4) for it to be the parent.
  int from_feasible = 0;
  const auto children = aging.ask(400);
  for (const auto& child : children) from_feasible += distance(child, feasible) < distance(child, infeasible);
  EXPECT_NEAR(from_feasible / 400.0, 0.75, 0.06);
}

TEST(AgingEvolution, ResumesFromItsStateToTheSameCandidatesHoweverAsksAreBatched) {
  const Space space;
  const auto options = AgingEvolutionOptions{}.population(10).sample_size(4).seed(5);
  AgingEvolution<Space> whole(space, options);
  (void)best_found(whole, 36, 6);
  // A failed evaluation (NaN) survives the round trip through JSON text.
  const auto failed = whole.ask(1);
  whole.tell(failed, {{std::numeric_limits<double>::quiet_NaN(), 2.0, true}});
  const auto saved = whole.state();
  const auto next = whole.ask(7);

  AgingEvolution<Space> resumed(space, options);
  resumed.restore(nlohmann::json::parse(saved.dump()));
  EXPECT_TRUE(std::isnan(resumed.population().back().evaluation.accuracy));
  auto batched = resumed.ask(3);
  const auto rest = resumed.ask(4);
  batched.insert(batched.end(), rest.begin(), rest.end());
  EXPECT_EQ(batched, next);
  EXPECT_EQ(resumed.state().dump(), whole.state().dump());
}

TEST(AgingEvolution, FindsBetterArchitecturesThanRandomSearch) {
  const Space space;
  double aging_total = 0.0;
  double random_total = 0.0;
  int optimum_found = 0;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    AgingEvolution<Space> aging(space, AgingEvolutionOptions{}.population(20).sample_size(5).seed(seed));
    RandomSearch<Space> random(space, seed);
    const double aging_best = best_found(aging, 300, 10);
    aging_total += aging_best;
    optimum_found += aging_best == 21.0;
    random_total += best_found(random, 300, 10);
  }
  EXPECT_GE(optimum_found, 3) << "the optimum, 1 cell in 15,625, within 300 evaluations";
  EXPECT_GT(aging_total, random_total);
}

TEST(AgingEvolution, SearchesEverySpaceThroughAnySpace) {
  for (const char* name : {"ofa-fmnist", "nb201", "proxyless"}) {
    const space::AnySpace any = space::make_space(name);
    const auto options = AgingEvolutionOptions{}.population(6).sample_size(3).seed(9);
    AgingEvolution<space::AnySpace> aging(any, options);
    for (int round = 0; round < 4; ++round) {
      const auto archs = aging.ask(4);
      std::vector<Evaluation> results;
      for (const auto& arch : archs) {
        // A stand-in accuracy: later one-hot positions score more.
        const auto code = any.encode(arch);
        double accuracy = 0.0;
        for (std::size_t i = 0; i < code.size(); ++i) accuracy += static_cast<double>(i) * code[i];
        results.push_back({accuracy, 0.0, true});
      }
      aging.tell(archs, results);
    }
    EXPECT_EQ(aging.population().size(), 6U) << name;
    AgingEvolution<space::AnySpace> resumed(any, options);
    resumed.restore(nlohmann::json::parse(aging.state().dump()));
    EXPECT_EQ(resumed.ask(5), aging.ask(5)) << name;
  }
}

TEST(AgingEvolution, RejectsBadSettingsMismatchedTellsAndOtherStates) {
  const Space space;
  using Options = AgingEvolutionOptions;
  testing::expect_error_containing<ConfigError>([&] { AgingEvolution<Space>(space, Options{}.population(0)); },
                                                "at least 1");
  testing::expect_error_containing<ConfigError>(
      [&] { AgingEvolution<Space>(space, Options{}.population(10).sample_size(11)); }, "sample size");
  testing::expect_error_containing<ConfigError>([&] { AgingEvolution<Space>(space, Options{}.sample_size(0)); },
                                                "sample size");
  testing::expect_error_containing<ConfigError>([&] { AgingEvolution<Space>(space, Options{}.mutate_prob(0.0)); },
                                                "mutation probability");
  AgingEvolution<Space> aging(space, Options{}.seed(4));
  testing::expect_error_containing<ConfigError>([&] { (void)aging.ask(-1); }, "cannot ask for -1");
  const auto archs = aging.ask(2);
  testing::expect_error_containing<ConfigError>([&] { aging.tell(archs, {Evaluation{}}); },
                                                "told 2 candidates with 1 evaluations");
  testing::expect_error_containing<ConfigError>(
      [&] { aging.tell({archs[0], archs[1], archs[0]}, std::vector<Evaluation>(3)); }, "2 were asked");

  AgingEvolution<Space> other_seed(space, Options{}.seed(5));
  testing::expect_error_containing<ConfigError>([&] { other_seed.restore(aging.state()); }, "cannot resume");
  Nsga2<Space> nsga2(space, Nsga2Options{}.seed(4));
  testing::expect_error_containing<ConfigError>([&] { aging.restore(nsga2.state()); },
                                                "cannot resume from state of strategy 'nsga2'");
}

}  // namespace
}  // namespace hwnas::search
