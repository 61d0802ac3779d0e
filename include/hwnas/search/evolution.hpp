#pragma once
/// \file
/// Evolutionary search as Once-for-All runs it (../shared/spec/ofa.md, §6),
/// in ask/tell form:
///
/// - the first population is `population` random candidates that meet the
///   constraints (infeasible ones are drawn again, never enter it);
/// - each generation keeps the best `parent_ratio` of the population (by
///   accuracy) as parents and breeds `population` feasible children:
///   round(`mutation_ratio` x population) by mutating a random parent (each
///   choice redrawn with probability `mutate_prob`), the rest by crossing
///   two random parents (each choice from either with equal chance);
///   infeasible children are bred again;
/// - the next population is the parents and the children.
///
/// Evaluations must be told in the order the candidates were asked.
///
/// OFA's defaults: population 100, parent ratio 0.25, mutation ratio 0.5,
/// mutate probability 0.1 (OFA also redraws the resolution with 0.5; here
/// every choice uses `mutate_prob`).

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evaluated.hpp"

namespace hwnas::search {

class EvolutionOptions {
  HWNAS_ARG(std::int64_t, population, 100)
  HWNAS_ARG(double, parent_ratio, 0.25)
  HWNAS_ARG(double, mutation_ratio, 0.5)
  HWNAS_ARG(double, mutate_prob, 0.1)
  HWNAS_ARG(std::uint64_t, seed, 0)
};

template <space::SearchSpace Space>
class Evolution {
 public:
  using Arch = typename Space::Arch;

  /// ConfigError for a population under 2 or ratios outside (0, 1].
  Evolution(Space space, EvolutionOptions options) : space_(std::move(space)), options_(options) {
    HWNAS_CHECK_CONFIG(options.population() >= 2, "evolution: the population must be at least 2, got {}",
                       options.population());
    HWNAS_CHECK_CONFIG(options.parent_ratio() > 0.0 && options.parent_ratio() <= 1.0 &&
                           options.mutation_ratio() >= 0.0 && options.mutation_ratio() <= 1.0 &&
                           options.mutate_prob() >= 0.0 && options.mutate_prob() <= 1.0,
                       "evolution: parent ratio must be in (0, 1], mutation ratio and probability in [0, 1]");
  }

  [[nodiscard]] std::string_view name() const { return "evolution"; }
  /// Generations completed (0 while the first population is being filled).
  [[nodiscard]] std::int64_t generation() const { return generation_; }

  [[nodiscard]] std::vector<Arch> ask(std::int64_t n) {
    HWNAS_CHECK_CONFIG(n >= 0, "evolution: cannot ask for {} candidates", n);
    std::vector<Arch> archs;
    for (std::int64_t i = 0; i < n; ++i) {
      // Each candidate's own generator: the same candidates however the asks are batched.
      Rng rng(derive_seed(derive_seed(options_.seed(), static_cast<std::uint64_t>(generation_)), asked_++));
      const Kind kind = generation_ == 0 ? Kind::random : next_kind();
      pending_.push_back({kind, generation_});
      archs.push_back(kind == Kind::random ? space_.sample(rng) : breed(kind, rng));
    }
    return archs;
  }

  void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) {
    HWNAS_CHECK_CONFIG(archs.size() == evaluations.size() && archs.size() <= pending_.size(),
                       "evolution: told {} candidates with {} evaluations, {} were asked", archs.size(),
                       evaluations.size(), pending_.size());
    for (std::size_t i = 0; i < archs.size(); ++i) {
      const Pending asked = pending_.front();
      pending_.erase(pending_.begin());
      // Candidates bred for a generation that is already complete are not needed.
      const bool wanted = asked.generation == generation_ && count(offspring_, asked.kind) < target(asked.kind);
      if (wanted && evaluations[i].feasible) offspring_.push_back({{archs[i], evaluations[i]}, asked.kind});
    }
    if (std::ssize(offspring_) < options_.population()) return;
    // A generation is complete: the parents and the feasible children.
    population_ = parents_;
    population_.insert(population_.end(), offspring_.begin(), offspring_.end());
    parents_ = best_of(population_);
    offspring_.clear();
    ++generation_;
    asked_ = 0;
  }

  [[nodiscard]] nlohmann::json state() const {
    nlohmann::json pending = nlohmann::json::array();
    for (const Pending& p : pending_) pending.push_back({static_cast<int>(p.kind), p.generation});
    return {{"strategy", name()},
            {"seed", options_.seed()},
            {"generation", generation_},
            {"asked", asked_},
            {"pending", std::move(pending)},
            {"population", members_json(population_)},
            {"offspring", members_json(offspring_)}};
  }

  /// ConfigError for the state of another strategy or seed.
  void restore(const nlohmann::json& state) {
    detail::check_resumable(state, name(), options_.seed());
    generation_ = state.at("generation").get<std::int64_t>();
    asked_ = state.at("asked").get<std::uint64_t>();
    pending_.clear();
    for (const auto& p : state.at("pending"))
      pending_.push_back({static_cast<Kind>(p.at(0).get<int>()), p.at(1).get<std::int64_t>()});
    population_ = members_from(state.at("population"));
    parents_ = best_of(population_);
    offspring_ = members_from(state.at("offspring"));
  }

 private:
  enum class Kind { random, mutant, crossover };

  struct Member : Evaluated<Arch> {
    Kind kind = Kind::random;
  };
  struct Pending {
    Kind kind;
    std::int64_t generation;
  };

  [[nodiscard]] std::int64_t target(Kind kind) const {
    const auto mutants = static_cast<std::int64_t>(
        std::lround(options_.mutation_ratio() * static_cast<double>(options_.population())));
    if (kind == Kind::mutant) return mutants;
    if (kind == Kind::crossover) return options_.population() - mutants;
    return options_.population();
  }
  /// Members (or pending candidates of this generation) of `kind`.
  template <class Entries>
  [[nodiscard]] std::int64_t count(const Entries& entries, Kind kind) const {
    return std::ranges::count_if(entries, [&](const auto& e) {
      if constexpr (std::same_as<std::decay_t<decltype(e)>, Pending>)
        return e.kind == kind && e.generation == generation_;
      else
        return e.kind == kind;
    });
  }
  /// Mutants until the feasible and outstanding ones reach their share, then crossovers.
  [[nodiscard]] Kind next_kind() const {
    const auto mutants = count(offspring_, Kind::mutant) + count(pending_, Kind::mutant);
    const auto crossovers = count(offspring_, Kind::crossover) + count(pending_, Kind::crossover);
    if (mutants < target(Kind::mutant)) return Kind::mutant;
    if (crossovers < target(Kind::crossover)) return Kind::crossover;
    // Both shares are asked for already; more of the kind still short of feasible ones.
    return count(offspring_, Kind::mutant) < target(Kind::mutant) ? Kind::mutant : Kind::crossover;
  }

  /// The best `parent_ratio` of `population` by accuracy (ties: earlier first).
  [[nodiscard]] std::vector<Member> best_of(const std::vector<Member>& population) const {
    std::vector<Member> sorted = population;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Member& a, const Member& b) { return a.evaluation.accuracy > b.evaluation.accuracy; });
    const auto count = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(options_.parent_ratio() * static_cast<double>(options_.population())));
    sorted.resize(std::min(sorted.size(), static_cast<std::size_t>(count)));
    return sorted;
  }

  [[nodiscard]] Arch breed(Kind kind, Rng& rng) const {
    const auto pick = [&]() -> const Arch& { return parents_[rng.uniform_int(parents_.size())].arch; };
    if (kind == Kind::mutant) return space_.mutate(pick(), rng, options_.mutate_prob());
    const Arch& a = pick();
    return space_.crossover(a, pick(), rng);
  }

  /// The members as `Evaluated` records, each with how it was bred.
  [[nodiscard]] nlohmann::json members_json(const std::vector<Member>& members) const {
    nlohmann::json out = detail::members_to_json(space_, members);
    for (std::size_t i = 0; i < members.size(); ++i) out[i]["kind"] = static_cast<int>(members[i].kind);
    return out;
  }
  [[nodiscard]] std::vector<Member> members_from(const nlohmann::json& json) const {
    auto evaluated = detail::members_from_json(space_, json);
    std::vector<Member> out;
    for (std::size_t i = 0; i < evaluated.size(); ++i)
      out.push_back({std::move(evaluated[i]), static_cast<Kind>(json[i].at("kind").get<int>())});
    return out;
  }

  Space space_;
  EvolutionOptions options_;
  std::int64_t generation_ = 0;
  std::uint64_t asked_ = 0;
  std::vector<Pending> pending_;  ///< Asked, not yet told, in order.
  std::vector<Member> population_;
  std::vector<Member> parents_;  ///< The best of the population, bred from until the next generation.
  std::vector<Member> offspring_;
};

}  // namespace hwnas::search
