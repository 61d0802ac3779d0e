// Strategies by name: every built-in one through AnyStrategy and a Searcher
// over AnySpace, options read from JSON with errors naming the field.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/cost/any_cost.hpp"
#include "hwnas/cost/size_costs.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/search/any_strategy.hpp"
#include "hwnas/search/searcher.hpp"
#include "support/expect.hpp"

namespace hwnas::search {
namespace {

static_assert(SearchStrategy<AnyStrategy, space::AnySpace>);

TEST(AnyStrategy, EveryNamedStrategyRunsThroughTheSearcher) {
  using Size = cost::SizeCost<space::AnySpace>;
  for (const std::string& name : strategy_names()) {
    SCOPED_TRACE(name);
    // Morphisms are defined on ofa-fmnist only; the others run on any space.
    const space::AnySpace space = space::make_space(name == "morphism" ? "ofa-fmnist" : "nb201");
    AnyStrategy strategy = make_strategy({{"name", name}}, space, 1);
    EXPECT_EQ(strategy.name(), name);
    Searcher searcher(space, estimate::make_proxy("params", space, {}), cost::AnyCost(Size(space, Size::Measure::macs)),
                      strategy, SearchOptions{}.cost_budget(60e6).max_evaluations(120).batch(strategy.preferred_batch()));
    const auto result = searcher.run();
    EXPECT_EQ(result.history.size(), 120U);
    ASSERT_TRUE(result.best.has_value());
    EXPECT_EQ(searcher.state()["strategy"]["strategy"], name);
  }
}

TEST(AnyStrategy, MorphismsNeedOfaFmnist) {
  testing::expect_error_containing<ConfigError>(
      [] { (void)make_strategy({{"name", "morphism"}}, space::make_space("nb201"), 0); }, "ofa-fmnist");
  testing::expect_error_containing<ConfigError>(
      [] { (void)make_strategy({{"name", "morphism"}, {"max_morphisms", 0}}, space::make_space("ofa-fmnist"), 0); },
      "max_morphisms");
}

TEST(AnyStrategy, ReadsOptionsAndPrefersAGenerationPerRound) {
  const space::AnySpace space = space::make_space("nb201");
  EXPECT_EQ(make_strategy({{"name", "evolution"}, {"population", 12}}, space, 0).preferred_batch(), 12);
  EXPECT_EQ(make_strategy({{"name", "nsga2"}, {"population", 30}}, space, 0).preferred_batch(), 30);
  EXPECT_EQ(make_strategy({{"name", "rl"}, {"learning_rate", 0.1}}, space, 0).preferred_batch(), 10);
  testing::expect_error_containing<ConfigError>(
      [&] { (void)make_strategy({{"name", "evolution"}, {"popsize", 12}}, space, 0); },
      "strategy: unknown field 'popsize'");
  testing::expect_error_containing<ConfigError>(
      [&] { (void)make_strategy({{"name", "aging-evolution"}, {"sample_size", 2.5}}, space, 0); },
      "strategy.sample_size: expected an integer, got 2.5");
  testing::expect_error_containing<ConfigError>(
      [&] { (void)make_strategy({{"name", "evolution"}, {"population", 1}}, space, 0); }, "at least 2");
  testing::expect_error_containing<ConfigError>([&] { (void)make_strategy({{"name", "tabu"}}, space, 0); },
                                                "unknown strategy 'tabu' (known: random, evolution");
  testing::expect_error_containing<ConfigError>([&] { (void)make_strategy({{"population", 3}}, space, 0); },
                                                "strategy: missing field 'name'");
}

}  // namespace
}  // namespace hwnas::search
