// The REINFORCE controller: MnasNet's reward, a policy that learns the
// rewarded decisions (and to stay under a cost target and within
// constraints), resuming and batching to the same candidates, beating
// random search on a seeded nb201 problem, and errors for bad settings.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/search/evolution.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/search/reinforce.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "support/expect.hpp"

namespace hwnas::search {
namespace {

using models::Nb201Op;
using Nb201Rl = Reinforce<space::Nb201Space>;

static_assert(SearchStrategy<Nb201Rl, space::Nb201Space>);
static_assert(SearchStrategy<Reinforce<space::OfaFmnistSpace>, space::OfaFmnistSpace>);
static_assert(SearchStrategy<Reinforce<space::AnySpace>, space::AnySpace>);

constexpr auto conv3x3 = static_cast<std::size_t>(Nb201Op::nor_conv_3x3);

double count(const space::Nb201Arch& arch, Nb201Op op) {
  return static_cast<double>(std::ranges::count(arch.cell, op));
}

/// `batches` rounds of ask(batch) and tell(evaluate); the best feasible accuracy seen.
template <class Strategy, class Evaluate>
double run(Strategy& strategy, std::int64_t batches, std::int64_t batch, Evaluate evaluate) {
  double best = -std::numeric_limits<double>::infinity();
  for (std::int64_t b = 0; b < batches; ++b) {
    const auto archs = strategy.ask(batch);
    std::vector<Evaluation> results;
    for (const auto& arch : archs) {
      results.push_back(evaluate(arch));
      if (results.back().feasible) best = std::max(best, results.back().accuracy);
    }
    strategy.tell(archs, results);
  }
  return best;
}

/// Accuracy: the number of 3x3 convolutions.
Evaluation conv3x3_count(const space::Nb201Arch& arch) { return {count(arch, Nb201Op::nor_conv_3x3), 0.0, true}; }

TEST(MnasnetReward, ScalesAccuracyByTheCostRatioAboveTheTarget) {
  EXPECT_EQ(mnasnet_reward(0.8, 123.0, 0.0, 0.0, -0.07), 0.8) << "no target: the accuracy";
  EXPECT_EQ(mnasnet_reward(0.8, 5.0, 10.0, 0.0, -0.07), 0.8) << "under the target with alpha 0";
  EXPECT_EQ(mnasnet_reward(0.8, 10.0, 10.0, 0.0, -0.07), 0.8) << "at the target";
  EXPECT_NEAR(mnasnet_reward(0.8, 20.0, 10.0, 0.0, -0.07), 0.76211039843515, 1e-12) << "0.8 x 2^-0.07";
  EXPECT_NEAR(mnasnet_reward(0.8, 15.0, 10.0, 0.0, -0.07), 0.77761315473480, 1e-12) << "0.8 x 1.5^-0.07";
  EXPECT_NEAR(mnasnet_reward(0.8, 5.0, 10.0, -0.07, -0.07), 0.83977334689845, 1e-12) << "MnasNet soft: 0.8 x 0.5^-0.07";
  EXPECT_EQ(mnasnet_reward(0.0, 20.0, 10.0, 0.0, -0.07), 0.0);
}

TEST(MnasnetReward, NegativeAccuraciesAreDividedSoThatExceedingTheTargetStillLowersThem) {
  EXPECT_NEAR(mnasnet_reward(-2.0, 20.0, 10.0, 0.0, -0.07), -2.09943336724613, 1e-12) << "-2 / 2^-0.07";
  EXPECT_LT(mnasnet_reward(-2.0, 20.0, 10.0, 0.0, -0.07), mnasnet_reward(-2.0, 10.0, 10.0, 0.0, -0.07));
  EXPECT_NEAR(mnasnet_reward(-2.0, 5.0, 10.0, -0.07, -0.07), -1.90527599608787, 1e-12) << "under: higher";
  for (const double accuracy : {-3.0, -0.5, 0.5, 3.0})
    EXPECT_LT(mnasnet_reward(accuracy, 12.0, 10.0, 0.0, -0.07), mnasnet_reward(accuracy, 11.0, 10.0, 0.0, -0.07))
        << accuracy;
}

TEST(MnasnetReward, RejectsCostsItCannotRatio) {
  testing::expect_error_containing<ConfigError>([] { (void)mnasnet_reward(0.5, 1.0, -1.0, 0.0, -0.07); },
                                                "cost target must be >= 0");
  testing::expect_error_containing<ConfigError>([] { (void)mnasnet_reward(0.5, 0.0, 10.0, 0.0, -0.07); },
                                                "costs must be positive and finite, got 0");
  testing::expect_error_containing<ConfigError>(
      [] { (void)mnasnet_reward(0.5, std::nan(""), 10.0, 0.0, -0.07); }, "positive and finite");
}

TEST(Reinforce, StartsUniformAndLearnsTheRewardedOperation) {
  const space::Nb201Space space;
  Nb201Rl rl(space, ReinforceOptions{}.seed(1));
  EXPECT_EQ(rl.name(), "rl");
  for (const auto& row : rl.probabilities()) EXPECT_EQ(row, std::vector<double>(5, 0.2));
  EXPECT_FALSE(rl.baseline().has_value());
  (void)run(rl, 80, 10, [](const space::Nb201Arch& arch) {
    return Evaluation{count(arch, Nb201Op::avg_pool_3x3), 0.0, true};
  });
  EXPECT_EQ(rl.steps(), 80);
  const auto p = rl.probabilities();
  for (std::size_t edge = 0; edge < 6; ++edge) {
    EXPECT_GT(p[edge][static_cast<std::size_t>(Nb201Op::avg_pool_3x3)], 0.8) << "edge " << edge;
    EXPECT_NEAR(std::accumulate(p[edge].begin(), p[edge].end(), 0.0), 1.0, 1e-12);
  }
  EXPECT_GT(*rl.baseline(), 4.0) << "the baseline follows the rewards up";
}

TEST(Reinforce, EntropyBonusKeepsThePolicyBroader) {
  const space::Nb201Space space;
  const auto rewarded = [](const space::Nb201Arch& arch) { return conv3x3_count(arch); };
  Nb201Rl greedy(space, ReinforceOptions{}.seed(2));
  Nb201Rl exploring(space, ReinforceOptions{}.seed(2).entropy_weight(1.0));
  (void)run(greedy, 60, 10, rewarded);
  (void)run(exploring, 60, 10, rewarded);
  EXPECT_LT(exploring.probabilities()[0][conv3x3], greedy.probabilities()[0][conv3x3]);
  EXPECT_GT(exploring.probabilities()[0][conv3x3], 0.2) << "still learns the rewarded operation";
}

TEST(Reinforce, LearnsToStayUnderTheCostTarget) {
  // Every cell equally accurate; the cost is 1 + its convolutions, the target 1.
  const space::Nb201Space space;
  Nb201Rl rl(space, ReinforceOptions{}.seed(3).target_cost(1.0));
  (void)run(rl, 80, 10, [](const space::Nb201Arch& arch) {
    return Evaluation{0.9, 1.0 + count(arch, Nb201Op::nor_conv_1x1) + count(arch, Nb201Op::nor_conv_3x3), true};
  });
  for (const auto& row : rl.probabilities()) {
    EXPECT_LT(row[static_cast<std::size_t>(Nb201Op::nor_conv_1x1)], 0.1);
    EXPECT_LT(row[conv3x3], 0.1);
  }
}

TEST(Reinforce, InfeasibleCandidatesRankBelowEveryFeasibleOne) {
  // The more 3x3 convolutions the better, but not on edge 0.
  const space::Nb201Space space;
  Nb201Rl rl(space, ReinforceOptions{}.seed(4));
  const double best = run(rl, 80, 10, [](const space::Nb201Arch& arch) {
    return Evaluation{count(arch, Nb201Op::nor_conv_3x3), 0.0, arch.cell[0] != Nb201Op::nor_conv_3x3};
  });
  EXPECT_EQ(best, 5.0);
  const auto p = rl.probabilities();
  EXPECT_LT(p[0][conv3x3], 0.1);
  for (std::size_t edge = 1; edge < 6; ++edge) EXPECT_GT(p[edge][conv3x3], 0.6) << "edge " << edge;
  EXPECT_EQ(rl.state()["lowest_reward"], 0.0) << "the lowest feasible accuracy seen";
}

TEST(Reinforce, SkipsFailedEvaluationsAndRanksInfeasibleOnesLowest) {
  const space::Nb201Space space;
  Nb201Rl rl(space, ReinforceOptions{});
  const auto archs = rl.ask(3);
  const auto before = rl.state();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rl.tell(archs, {{nan, 1.0, true}, {0.5, 1.0, false}, {0.7, 1.0, false}});
  EXPECT_EQ(rl.steps(), 0);
  EXPECT_EQ(rl.state(), before) << "nothing to learn from";

  const double inf = std::numeric_limits<double>::infinity();
  rl.tell(archs, {{-inf, 1.0, true}, {inf, 1.0, true}, {0.7, 1.0, false}});
  EXPECT_EQ(rl.state(), before) << "infinite accuracies rank like infeasible candidates";

  // One feasible candidate: the infeasible and the unestimated one are ranked with it, the failed one skipped.
  rl.tell(archs, {{0.5, 1.0, true}, {0.9, 1.0, false}, {nan, 1.0, true}});
  EXPECT_EQ(rl.steps(), 1);
  EXPECT_EQ(*rl.baseline(), 0.5);
  EXPECT_EQ(rl.state()["lowest_reward"], 0.5);
  rl.tell(archs, {{0.7, 1.0, true}, {-inf, 1.0, true}, {0.6, 1.0, true}});
  EXPECT_EQ(rl.steps(), 2);
  // Rewards 0.7, 0.5 (the lowest), 0.6 update the baseline in order.
  EXPECT_NEAR(*rl.baseline(), ((0.95 * 0.5 + 0.05 * 0.7) * 0.95 + 0.05 * 0.5) * 0.95 + 0.05 * 0.6, 1e-15);
  for (const auto& row : rl.state()["logits"])
    for (const auto& logit : row) EXPECT_TRUE(std::isfinite(logit.get<double>()));
  const auto after = rl.state();
  rl.tell({}, {});
  EXPECT_EQ(rl.state(), after) << "an empty tell changes nothing";
}

TEST(Reinforce, ResumesFromItsStateToTheSameCandidatesAndPolicy) {
  const space::Nb201Space space;
  const auto options = ReinforceOptions{}.seed(5).entropy_weight(0.01).target_cost(3.0);
  const auto evaluate = [](const space::Nb201Arch& arch) {
    const double convs = count(arch, Nb201Op::nor_conv_3x3) + count(arch, Nb201Op::nor_conv_1x1);
    return Evaluation{count(arch, Nb201Op::nor_conv_3x3) - 2.5, 1.0 + convs, arch.cell[5] != Nb201Op::none};
  };
  Nb201Rl whole(space, options);
  (void)run(whole, 15, 7, evaluate);
  const auto saved = whole.state();
  (void)run(whole, 10, 7, evaluate);

  Nb201Rl resumed(space, options);
  resumed.restore(nlohmann::json::parse(saved.dump()));
  EXPECT_EQ(resumed.state(), saved) << "doubles survive the text round trip exactly";
  (void)run(resumed, 10, 7, evaluate);
  EXPECT_EQ(resumed.state(), whole.state());
  EXPECT_EQ(resumed.probabilities(), whole.probabilities());
  EXPECT_EQ(resumed.ask(4), whole.ask(4));
}

TEST(Reinforce, CandidatesDoNotDependOnHowAsksAreBatched) {
  const space::Nb201Space space;
  Nb201Rl one(space, ReinforceOptions{}.seed(6));
  Nb201Rl two(space, ReinforceOptions{}.seed(6));
  for (int round = 0; round < 3; ++round) {
    const auto archs = one.ask(6);
    auto split = two.ask(2);
    const auto rest = two.ask(4);
    split.insert(split.end(), rest.begin(), rest.end());
    ASSERT_EQ(split, archs);
    std::vector<Evaluation> results;
    for (const auto& arch : archs) results.push_back(conv3x3_count(arch));
    one.tell(archs, results);
    two.tell(archs, results);
  }
  EXPECT_EQ(one.state(), two.state());
  Nb201Rl other(space, ReinforceOptions{}.seed(7));
  EXPECT_NE(other.ask(6), Nb201Rl(space, ReinforceOptions{}.seed(6)).ask(6));
}

TEST(Reinforce, FindsBetterArchitecturesThanRandomSearch) {
  // 300 evaluations of 15,625 cells; the optimum has 6 convolutions.
  const space::Nb201Space space;
  double rl_total = 0.0;
  double random_total = 0.0;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    Nb201Rl rl(space, ReinforceOptions{}.seed(seed));
    RandomSearch<space::Nb201Space> random(space, seed);
    rl_total += run(rl, 30, 10, conv3x3_count);
    random_total += run(random, 30, 10, conv3x3_count);
  }
  EXPECT_GT(rl_total, random_total);
  EXPECT_GE(rl_total, 25.0) << "close to the optimum with every seed";
}

TEST(Reinforce, SearchesEverySpaceThroughAnySpace) {
  for (const auto& name : space::space_names()) {
    SCOPED_TRACE(name);
    const space::AnySpace any = space::make_space(name);
    Reinforce<space::AnySpace> rl(any, ReinforceOptions{}.seed(8));
    const auto archs = rl.ask(8);
    std::vector<Evaluation> results;
    for (std::size_t i = 0; i < archs.size(); ++i) {
      EXPECT_EQ(any.from_json(any.to_json(archs[i])), archs[i]);
      results.push_back({static_cast<double>(i), 1.0, true});
    }
    rl.tell(archs, results);
    const auto p = rl.probabilities();
    ASSERT_EQ(p.size(), any.decisions().size());
    for (std::size_t d = 0; d < p.size(); ++d) EXPECT_EQ(std::ssize(p[d]), any.decisions()[d]);
  }
}

TEST(Reinforce, RejectsBadSettingsForeignStatesAndMismatchedTells) {
  const space::Nb201Space space;
  const auto rejects = [&](ReinforceOptions options, std::string_view fragment) {
    testing::expect_error_containing<ConfigError>([&] { (void)Nb201Rl(space, options); }, fragment);
  };
  rejects(ReinforceOptions{}.learning_rate(0.0), "learning rate must be positive");
  rejects(ReinforceOptions{}.baseline_decay(1.0), "baseline decay must be in [0, 1)");
  rejects(ReinforceOptions{}.entropy_weight(-0.1), "entropy weight");
  rejects(ReinforceOptions{}.target_cost(-1.0), "cost target");
  rejects(ReinforceOptions{}.beta(std::nan("")), "exponents must be finite");

  Nb201Rl rl(space, ReinforceOptions{}.seed(9));
  testing::expect_error_containing<ConfigError>([&] { (void)rl.ask(-1); }, "cannot ask for -1");
  const auto archs = rl.ask(2);
  testing::expect_error_containing<ConfigError>([&] { rl.tell(archs, {Evaluation{}}); },
                                                "told 2 candidates with 1 evaluations");
  Nb201Rl with_target(space, ReinforceOptions{}.target_cost(5.0));
  testing::expect_error_containing<ConfigError>([&] { with_target.tell(archs, {{0.5, 4.0, true}, {0.5, 0.0, true}}); },
                                                "costs must be positive");
  EXPECT_EQ(with_target.steps(), 0) << "a rejected tell changes nothing";

  Nb201Rl other_seed(space, ReinforceOptions{}.seed(10));
  testing::expect_error_containing<ConfigError>([&] { other_seed.restore(rl.state()); }, "cannot resume");
  Evolution<space::Nb201Space> evolution(space, EvolutionOptions{}.seed(9));
  testing::expect_error_containing<ConfigError>([&] { rl.restore(evolution.state()); },
                                                "cannot resume from state of strategy 'evolution'");
  Reinforce<space::AnySpace> nb201(space::make_space("nb201"), ReinforceOptions{});
  Reinforce<space::AnySpace> proxyless(space::make_space("proxyless"), ReinforceOptions{});
  testing::expect_error_containing<ConfigError>([&] { proxyless.restore(nb201.state()); },
                                                "does not fit the decisions of space proxyless");
}

}  // namespace
}  // namespace hwnas::search
