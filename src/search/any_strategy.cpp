#include "hwnas/search/any_strategy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/json_options.hpp"
#include "hwnas/inherit/morphism_hill_climbing.hpp"
#include "hwnas/search/aging_evolution.hpp"
#include "hwnas/search/evolution.hpp"
#include "hwnas/search/nsga2.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/search/reinforce.hpp"

namespace hwnas::search {
namespace {

/// Policy-gradient updates are noisy: a few candidates per update.
constexpr std::int64_t rl_batch = 10;
/// Aging evolution learns from each candidate; small rounds keep its population fresh.
constexpr std::int64_t aging_batch = 10;

}  // namespace

std::vector<std::string> strategy_names() {
  return {"random", "evolution", "aging-evolution", "nsga2", "rl", "morphism"};
}

AnyStrategy make_strategy(const nlohmann::json& config, const space::AnySpace& space, std::uint64_t seed) {
  JsonOptions o(config, "strategy");
  const auto name = o.require<std::string>("name");
  const auto finish = [&](auto strategy, std::int64_t batch) {
    o.finish();
    return AnyStrategy(std::move(strategy), batch);
  };
  if (name == "random") return finish(RandomSearch<space::AnySpace>(space, seed), 100);
  if (name == "evolution") {
    EvolutionOptions e;
    e.population(o.get("population", e.population()))
        .parent_ratio(o.get("parent_ratio", e.parent_ratio()))
        .mutation_ratio(o.get("mutation_ratio", e.mutation_ratio()))
        .mutate_prob(o.get("mutate_prob", e.mutate_prob()))
        .seed(seed);
    return finish(Evolution<space::AnySpace>(space, e), e.population());
  }
  if (name == "aging-evolution") {
    AgingEvolutionOptions a;
    a.population(o.get("population", a.population()))
        .sample_size(o.get("sample_size", a.sample_size()))
        .mutate_prob(o.get("mutate_prob", a.mutate_prob()))
        .seed(seed);
    return finish(AgingEvolution<space::AnySpace>(space, a), aging_batch);
  }
  if (name == "nsga2") {
    Nsga2Options n;
    n.population(o.get("population", n.population()))
        .crossover_prob(o.get("crossover_prob", n.crossover_prob()))
        .mutate_prob(o.get("mutate_prob", n.mutate_prob()))
        .seed(seed);
    return finish(Nsga2<space::AnySpace>(space, n), n.population());
  }
  // Network-morphism hill climbing: each round, a few children of the current best.
  if (name == "morphism") {
    inherit::MorphismHillClimbingOptions m;
    if (o.has("start")) m.start(space::OfaFmnistSpace{}.from_json(o.object("start")));
    m.max_morphisms(o.get("max_morphisms", m.max_morphisms())).seed(seed);
    return finish(inherit::MorphismHillClimbing<space::AnySpace>(space, m), 8);
  }
  HWNAS_CHECK_CONFIG(name == "rl", "strategy.name: unknown strategy '{}' (known: {})", name,
                     fmt::join(strategy_names(), ", "));
  ReinforceOptions r;
  r.learning_rate(o.get("learning_rate", r.learning_rate()))
      .baseline_decay(o.get("baseline_decay", r.baseline_decay()))
      .entropy_weight(o.get("entropy_weight", r.entropy_weight()))
      .target_cost(o.get("target_cost", r.target_cost()))
      .alpha(o.get("alpha", r.alpha()))
      .beta(o.get("beta", r.beta()))
      .seed(seed);
  return finish(Reinforce<space::AnySpace>(space, r), rl_batch);
}

}  // namespace hwnas::search
