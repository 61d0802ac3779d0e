// Pareto utilities (constrained domination, fronts, crowding distances, the
// reported front) on hand-made points, and NSGA-II: environmental selection
// by front then crowding, generations that waste no evaluation, resuming and
// batching to the same candidates, and a final front close to the true
// Pareto front of nb201, found by enumerating the space.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/search/aging_evolution.hpp"
#include "hwnas/search/nsga2.hpp"
#include "hwnas/search/pareto.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/nb201.hpp"
#include "support/expect.hpp"

namespace hwnas::search {
namespace {

using Space = space::Nb201Space;
using Arch = space::Nb201Arch;
using models::Nb201Op;

static_assert(SearchStrategy<Nsga2<Space>, Space>);
static_assert(SearchStrategy<Nsga2<space::AnySpace>, space::AnySpace>);

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

Evaluation feasible(double accuracy, double cost) { return {accuracy, cost, true}; }
Evaluation infeasible(double accuracy, double cost) { return {accuracy, cost, false}; }

TEST(Pareto, DominationIsConstrainedAsDebs) {
  EXPECT_TRUE(dominates(feasible(2, 1), feasible(1, 2)));
  EXPECT_TRUE(dominates(feasible(2, 2), feasible(1, 2))) << "better accuracy, same cost";
  EXPECT_TRUE(dominates(feasible(1, 1), feasible(1, 2))) << "same accuracy, cheaper";
  EXPECT_FALSE(dominates(feasible(1, 1), feasible(1, 1))) << "equal points";
  EXPECT_FALSE(dominates(feasible(2, 2), feasible(1, 1))) << "a trade-off";
  EXPECT_FALSE(dominates(feasible(1, 1), feasible(2, 2)));
  EXPECT_TRUE(dominates(feasible(0, 9), infeasible(5, 1))) << "feasible beats infeasible";
  EXPECT_FALSE(dominates(infeasible(5, 1), feasible(0, 9)));
  EXPECT_TRUE(dominates(infeasible(0, 1), infeasible(5, 2))) << "of infeasible points the cheaper";
  EXPECT_FALSE(dominates(infeasible(5, 2), infeasible(0, 1)));
  EXPECT_FALSE(dominates(infeasible(5, 1), infeasible(0, 1)));
  // NaN is the worst value of its objective.
  EXPECT_FALSE(dominates(feasible(nan, 1), feasible(0, 1)));
  EXPECT_TRUE(dominates(feasible(0, 1), feasible(nan, 1)));
  EXPECT_TRUE(dominates(feasible(0, 1), feasible(0, nan)));
  EXPECT_FALSE(dominates(feasible(nan, nan), feasible(nan, nan)));
}

TEST(Pareto, NonDominatedSortFindsTheFronts) {
  const std::vector<Evaluation> points{
      feasible(1, 1),    // 0: front 0
      feasible(3, 3),    // 1: front 0
      feasible(2, 2),    // 2: front 0
      feasible(1, 2),    // 3: dominated by 0 and 2 -> front 1
      feasible(2.5, 3),  // 4: dominated by 1 -> front 1
      feasible(0, 3),    // 5: dominated by 3 -> front 2
      infeasible(9, 1),  // 6: after every feasible point
      infeasible(9, 2),  // 7: dominated by 6
      feasible(1, 1),    // 8: equal to 0, so also front 0
  };
  const std::vector<std::vector<std::size_t>> expected{{0, 1, 2, 8}, {3, 4}, {5}, {6}, {7}};
  EXPECT_EQ(non_dominated_sort(points), expected);
  EXPECT_TRUE(non_dominated_sort({}).empty());
}

TEST(Pareto, CrowdingDistancesAreNormalisedByEachObjectivesRange) {
  const std::vector<Evaluation> points{feasible(1, 1), feasible(2, 2), feasible(4, 3), feasible(5, 5),
                                       feasible(0, 0)};
  // Accuracy range 4: (4 - 1) / 4 for both inner points; cost range 4: (3 - 1) / 4 and (5 - 2) / 4.
  const std::vector<std::size_t> front{3, 1, 0, 2};
  const auto distance = crowding_distance(points, front);
  ASSERT_EQ(distance.size(), 4U);
  EXPECT_EQ(distance[0], inf);
  EXPECT_DOUBLE_EQ(distance[1], 0.75 + 0.5);
  EXPECT_EQ(distance[2], inf);
  EXPECT_DOUBLE_EQ(distance[3], 0.75 + 0.75);

  const std::vector<std::size_t> two{4, 2};
  EXPECT_EQ(crowding_distance(points, two), (std::vector<double>{inf, inf}));
  // A flat objective adds nothing.
  const std::vector<Evaluation> flat{feasible(1, 2), feasible(2, 2), feasible(3, 2)};
  const std::vector<std::size_t> all{0, 1, 2};
  EXPECT_EQ(crowding_distance(flat, all), (std::vector<double>{inf, 1.0, inf}));
  const std::vector<std::size_t> bad{0, 3};
  testing::expect_error_containing<ConfigError>([&] { (void)crowding_distance(flat, bad); },
                                                "index 3 is out of range for 3 points");
}

TEST(Pareto, TheReportedFrontIsFeasibleDeduplicatedAndByCost) {
  const std::vector<Evaluation> points{
      feasible(0.5, 3),     // 0: dominated by 2
      feasible(0.9, 4),     // 1: on the front
      feasible(0.7, 2),     // 2: on the front
      feasible(0.7, 2),     // 3: a copy of 2
      infeasible(0.99, 1),  // 4: infeasible
      feasible(nan, 0.5),   // 5: failed
      feasible(0.3, 1),     // 6: on the front, the cheapest
      feasible(0.9, 5),     // 7: dominated by 1
      feasible(0.95, nan),  // 8: failed
      feasible(0.3, 1),     // 9: a copy of 6
  };
  EXPECT_EQ(pareto_front(points), (std::vector<std::size_t>{6, 2, 1}));
  EXPECT_TRUE(pareto_front({}).empty());
  const std::vector<Evaluation> none_feasible{infeasible(1, 1), infeasible(2, 0)};
  EXPECT_TRUE(pareto_front(none_feasible).empty());
}

TEST(Pareto, TheReportedFrontIsTheFirstFrontWithoutCopies) {
  // Small integer values: many ties and copies.
  Rng rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<Evaluation> points;
    for (int i = 0; i < 30; ++i)
      points.push_back({static_cast<double>(rng.uniform_int(6)), static_cast<double>(rng.uniform_int(6)),
                        rng.bernoulli(0.8)});
    std::vector<std::size_t> expected;
    std::set<std::pair<double, double>> seen;
    const auto fronts = non_dominated_sort(points);
    for (const std::size_t i : fronts.front())
      if (points[i].feasible && seen.insert({points[i].accuracy, points[i].cost}).second) expected.push_back(i);
    std::ranges::stable_sort(expected, [&](std::size_t a, std::size_t b) { return points[a].cost < points[b].cost; });
    EXPECT_EQ(pareto_front(points), expected) << "trial " << trial;
  }
}

/// A made-up bi-objective problem on all of nb201: accuracy rewards
/// convolutions on the edges that matter and a skip connection from the
/// input to the output; cost is the real multiply-accumulate count (in
/// millions), and cells over 130 M are infeasible.
class Nb201Problem {
 public:
  Nb201Problem() : archs_(space_.enumerate()) {
    for (const auto& arch : archs_) {
      constexpr std::array<double, 6> edge_weight{0.9, 0.5, 1.3, 0.4, 0.8, 1.1};
      constexpr std::array<double, 5> op_gain{0.0, 0.35, 0.6, 1.0, 0.2};  // in nb201_ops order
      double accuracy = arch.cell[3] == Nb201Op::skip_connect ? 0.5 : 0.0;
      for (std::size_t e = 0; e < 6; ++e) accuracy += edge_weight[e] * op_gain[op_index(arch.cell[e])];
      const double cost = static_cast<double>(space_.macs(arch)) * 1e-6;
      evaluations_.push_back({accuracy, cost, cost <= 130.0});
    }
  }

  [[nodiscard]] const Space& space() const { return space_; }
  [[nodiscard]] const std::vector<Evaluation>& all() const { return evaluations_; }
  [[nodiscard]] Evaluation operator()(const Arch& arch) const {
    std::size_t code = 0;
    for (const Nb201Op op : arch.cell) code = code * 5 + op_index(op);
    return evaluations_[code];
  }
  [[nodiscard]] std::vector<Evaluation> operator()(const std::vector<Arch>& archs) const {
    std::vector<Evaluation> out;
    for (const auto& arch : archs) out.push_back((*this)(arch));
    return out;
  }

  /// The area the feasible front of `points` dominates, from (lowest
  /// accuracy in the space, highest feasible cost).
  [[nodiscard]] double hypervolume(const std::vector<Evaluation>& points) const {
    double lowest = inf;
    double highest = -inf;
    for (const auto& e : evaluations_) {
      lowest = std::min(lowest, e.accuracy);
      if (e.feasible) highest = std::max(highest, e.cost);
    }
    const auto front = pareto_front(points);
    double volume = 0.0;
    for (std::size_t k = 0; k < front.size(); ++k) {
      const double next_cost = k + 1 < front.size() ? points[front[k + 1]].cost : highest;
      volume += (next_cost - points[front[k]].cost) * (points[front[k]].accuracy - lowest);
    }
    return volume;
  }

 private:
  static std::size_t op_index(Nb201Op op) {
    return static_cast<std::size_t>(std::ranges::find(models::nb201_ops, op) - models::nb201_ops.begin());
  }

  Space space_;
  std::vector<Arch> archs_;
  std::vector<Evaluation> evaluations_;
};

const Nb201Problem& problem() {
  static const Nb201Problem instance;
  return instance;
}

/// Runs `evaluations` candidates, asked and told `batch` at a time; every evaluation seen.
template <class Strategy>
std::vector<Evaluation> run(Strategy& strategy, std::int64_t evaluations, std::int64_t batch) {
  std::vector<Evaluation> seen;
  for (std::int64_t done = 0; done < evaluations; done += batch) {
    const auto archs = strategy.ask(batch);
    const auto results = problem()(archs);
    seen.insert(seen.end(), results.begin(), results.end());
    strategy.tell(archs, results);
  }
  return seen;
}

std::vector<Evaluation> evaluations_of(const std::vector<Evaluated<Arch>>& members) {
  std::vector<Evaluation> out;
  for (const auto& m : members) out.push_back(m.evaluation);
  return out;
}

TEST(Nsga2, KeepsTheBestFrontsThenTheLeastCrowded) {
  const Space space;
  Nsga2<Space> nsga2(space, Nsga2Options{}.population(4).seed(1));
  const auto first = nsga2.ask(4);
  nsga2.tell(first, {feasible(1, 1), feasible(2, 2), feasible(0.5, 3), feasible(3, 3)});
  ASSERT_EQ(nsga2.generation(), 1);
  // Generation 0, front by front: (1, 1), (2, 2), (3, 3), then (0.5, 3).
  EXPECT_EQ(evaluations_of(nsga2.parents()),
            (std::vector<Evaluation>{feasible(1, 1), feasible(2, 2), feasible(3, 3), feasible(0.5, 3)}));

  const auto second = nsga2.ask(4);
  nsga2.tell(second, {feasible(4, 1), feasible(0, 0.5), infeasible(10, 0), feasible(2.5, 2)});
  ASSERT_EQ(nsga2.generation(), 2);
  // Merged fronts: {(4, 1), (0, 0.5)}, then {(1, 1), (3, 3), (2.5, 2)} of which the two
  // extremes (infinitely far) beat (2.5, 2) (distance 1 + 1); the infeasible point comes last.
  EXPECT_EQ(evaluations_of(nsga2.parents()),
            (std::vector<Evaluation>{feasible(4, 1), feasible(0, 0.5), feasible(1, 1), feasible(3, 3)}));
  EXPECT_EQ(evaluations_of(nsga2.front()), (std::vector<Evaluation>{feasible(4, 1), feasible(0, 0.5)}));
  EXPECT_EQ(nsga2.front()[0].arch, second[0]);
}

TEST(Nsga2, WithoutFeasibleCandidatesTheCheapestSurvive) {
  const Space space;
  Nsga2<Space> nsga2(space, Nsga2Options{}.population(3).seed(2));
  const auto first = nsga2.ask(3);
  nsga2.tell(first, {infeasible(1, 5), infeasible(1, 3), infeasible(1, 4)});
  const auto second = nsga2.ask(3);
  nsga2.tell(second, {infeasible(1, 1), infeasible(1, 6), infeasible(1, 2)});
  EXPECT_EQ(evaluations_of(nsga2.parents()),
            (std::vector<Evaluation>{infeasible(1, 1), infeasible(1, 2), infeasible(1, 3)}));
  EXPECT_EQ(nsga2.front().size(), 1U);
}

TEST(Nsga2, EvaluationsToldAfterTheirGenerationCountTowardTheNext) {
  const Space space;
  Nsga2<Space> nsga2(space, Nsga2Options{}.population(10).seed(3));
  const auto first = nsga2.ask(13);
  nsga2.tell(first, problem()(first));
  EXPECT_EQ(nsga2.generation(), 1);
  EXPECT_EQ(nsga2.state()["offspring"].size(), 3U) << "the 3 extra random candidates join generation 1";
  const auto second = nsga2.ask(7);
  nsga2.tell(second, problem()(second));
  EXPECT_EQ(nsga2.generation(), 2);
  EXPECT_EQ(nsga2.state()["offspring"].size(), 0U);
  EXPECT_EQ(nsga2.parents().size(), 10U);
}

TEST(Nsga2, ChildrenAreNewCandidatesWheneverTheyCanBe) {
  const Space space;
  Nsga2<Space> nsga2(space, Nsga2Options{}.population(6).seed(8));
  (void)run(nsga2, 12, 6);
  ASSERT_EQ(nsga2.generation(), 2);
  for (const auto& child : nsga2.ask(50))
    for (const auto& parent : nsga2.parents()) EXPECT_NE(child, parent.arch);
  // Without crossover or mutation every child is a copy: it is taken after the last try.
  Nsga2<Space> copier(space, Nsga2Options{}.population(6).crossover_prob(0.0).mutate_prob(0.0).seed(8));
  (void)run(copier, 6, 6);
  for (const auto& child : copier.ask(10))
    EXPECT_TRUE(std::ranges::any_of(copier.parents(), [&](const auto& p) { return p.arch == child; }));
}

TEST(Nsga2, ResumesFromItsStateToTheSameCandidatesHoweverAsksAreBatched) {
  const Space space;
  const auto options = Nsga2Options{}.population(12).seed(4);
  Nsga2<Space> whole(space, options);
  (void)run(whole, 90, 9);
  const auto failed = whole.ask(1);
  whole.tell(failed, {{nan, nan, true}});
  const auto saved = whole.state();
  const auto next = whole.ask(20);

  Nsga2<Space> resumed(space, options);
  resumed.restore(nlohmann::json::parse(saved.dump()));
  auto batched = resumed.ask(5);
  for (const std::int64_t n : {0, 1, 14}) {
    const auto more = resumed.ask(n);
    batched.insert(batched.end(), more.begin(), more.end());
  }
  EXPECT_EQ(batched, next);
  EXPECT_EQ(resumed.state().dump(), whole.state().dump());
  EXPECT_EQ(resumed.generation(), whole.generation());
}

TEST(Nsga2, ApproachesTheTrueParetoFrontOfNb201AndBeatsRandomSearch) {
  const auto& p = problem();
  const auto true_front = pareto_front(p.all());
  std::set<std::pair<double, double>> optimal;
  for (const std::size_t i : true_front) optimal.insert({p.all()[i].accuracy, p.all()[i].cost});
  ASSERT_EQ(optimal.size(), 15U) << "15 trade-offs among 15,625 cells";
  const double best_volume = p.hypervolume(p.all());

  double nsga2_share = 0.0;
  double random_share = 0.0;
  double covered = 0.0;
  constexpr int seeds = 5;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    Nsga2<Space> nsga2(p.space(), Nsga2Options{}.population(20).seed(seed));
    RandomSearch<Space> random(p.space(), seed);
    (void)run(nsga2, 400, 10);
    const double share = p.hypervolume(evaluations_of(nsga2.front())) / best_volume;
    nsga2_share += share / seeds;
    random_share += p.hypervolume(run(random, 400, 10)) / best_volume / seeds;
    std::set<std::pair<double, double>> found;
    for (const auto& m : nsga2.front())
      if (optimal.contains({m.evaluation.accuracy, m.evaluation.cost}))
        found.insert({m.evaluation.accuracy, m.evaluation.cost});
    covered += static_cast<double>(found.size()) / static_cast<double>(optimal.size()) / seeds;
  }
  EXPECT_GT(nsga2_share, 0.99) << "of the true front's hypervolume, on average";
  EXPECT_GT(covered, 0.8) << "of the true front's points, on average";
  EXPECT_GT(nsga2_share, random_share) << "random search's front from all 400 evaluations";
}

TEST(Nsga2, SearchesEverySpaceThroughAnySpace) {
  for (const char* name : {"ofa-fmnist", "nb201", "proxyless"}) {
    const space::AnySpace any = space::make_space(name);
    const auto options = Nsga2Options{}.population(6).seed(9);
    Nsga2<space::AnySpace> nsga2(any, options);
    for (int round = 0; round < 5; ++round) {
      const auto archs = nsga2.ask(4);
      std::vector<Evaluation> results;
      // Larger networks are more accurate and cost more: a real trade-off.
      for (const auto& arch : archs)
        results.push_back({static_cast<double>(any.params(arch)), static_cast<double>(any.macs(arch)), true});
      nsga2.tell(archs, results);
    }
    EXPECT_EQ(nsga2.generation(), 3) << name;
    EXPECT_FALSE(nsga2.front().empty()) << name;
    Nsga2<space::AnySpace> resumed(any, options);
    resumed.restore(nlohmann::json::parse(nsga2.state().dump()));
    EXPECT_EQ(resumed.ask(5), nsga2.ask(5)) << name;
  }
}

TEST(Nsga2, RejectsBadSettingsMismatchedTellsAndOtherStates) {
  const Space space;
  testing::expect_error_containing<ConfigError>([&] { Nsga2<Space>(space, Nsga2Options{}.population(1)); },
                                                "at least 2");
  testing::expect_error_containing<ConfigError>([&] { Nsga2<Space>(space, Nsga2Options{}.crossover_prob(1.5)); },
                                                "probabilities must be in [0, 1]");
  testing::expect_error_containing<ConfigError>([&] { Nsga2<Space>(space, Nsga2Options{}.mutate_prob(-0.1)); },
                                                "probabilities must be in [0, 1]");
  Nsga2<Space> nsga2(space, Nsga2Options{}.seed(6));
  testing::expect_error_containing<ConfigError>([&] { (void)nsga2.ask(-2); }, "cannot ask for -2");
  const auto archs = nsga2.ask(2);
  testing::expect_error_containing<ConfigError>([&] { nsga2.tell(archs, {Evaluation{}}); },
                                                "told 2 candidates with 1 evaluations");
  Nsga2<Space> other_seed(space, Nsga2Options{}.seed(7));
  testing::expect_error_containing<ConfigError>([&] { other_seed.restore(nsga2.state()); },
                                                "with seed 6, expected 'nsga2' with seed 7");
  AgingEvolution<Space> aging(space, AgingEvolutionOptions{}.seed(6));
  testing::expect_error_containing<ConfigError>([&] { nsga2.restore(aging.state()); },
                                                "cannot resume from state of strategy 'aging-evolution'");
  testing::expect_error_containing<ConfigError>([&] { nsga2.restore(nlohmann::json::object()); },
                                                "strategy '?'");
}

}  // namespace
}  // namespace hwnas::search
