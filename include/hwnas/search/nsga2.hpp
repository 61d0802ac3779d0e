#pragma once
/// \file
/// NSGA-II (Deb et al. 2002) over accuracy (higher is better) and cost
/// (lower is better), with constrained domination (pareto.hpp), in ask/tell
/// form:
///
/// - generation 0 is `population` random candidates; once all are told they
///   become the parents;
/// - every later candidate is an offspring of the parents: two binary
///   tournaments (lower rank wins, then larger crowding distance, then the
///   first drawn) pick a mother and a father, `space.crossover` mixes them
///   with probability `crossover_prob` (else the child is the mother), then
///   each choice is redrawn with probability `mutate_prob`; a child equal to
///   a parent is bred again (16 draws in all at most): copies would waste
///   evaluations and crowd out the rest of the front;
/// - when `population` offspring are told, parents and offspring are merged
///   and the next parents are the best `population` by non-dominated sorting,
///   the last front that fits only partly cut by crowding distance.
///
/// Every told candidate joins the offspring of the generation in progress,
/// whichever generation it was asked in: when a Searcher asks past a
/// generation's share, the extra candidates are still bred from the current
/// parents and, once told, count toward the next generation, so no
/// evaluation is wasted. Evaluations must be told in the order the
/// candidates were asked.
///
/// Candidate i of generation g draws from its own generator (seed, g, i):
/// the candidates do not depend on how asks are batched, and a restored
/// strategy asks for exactly those the original would have.

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evaluated.hpp"
#include "hwnas/search/pareto.hpp"

namespace hwnas::search {

class Nsga2Options {
  HWNAS_ARG(std::int64_t, population, 100)
  HWNAS_ARG(double, crossover_prob, 0.9)
  HWNAS_ARG(double, mutate_prob, 0.1)
  HWNAS_ARG(std::uint64_t, seed, 0)
};

template <space::SearchSpace Space>
class Nsga2 {
 public:
  using Arch = typename Space::Arch;

  /// ConfigError for a population under 2 or probabilities outside [0, 1].
  Nsga2(Space space, Nsga2Options options) : space_(std::move(space)), options_(options) {
    HWNAS_CHECK_CONFIG(options.population() >= 2, "nsga2: the population must be at least 2, got {}",
                       options.population());
    HWNAS_CHECK_CONFIG(options.crossover_prob() >= 0.0 && options.crossover_prob() <= 1.0 &&
                           options.mutate_prob() >= 0.0 && options.mutate_prob() <= 1.0,
                       "nsga2: crossover and mutation probabilities must be in [0, 1], got {} and {}",
                       options.crossover_prob(), options.mutate_prob());
  }

  [[nodiscard]] std::string_view name() const { return "nsga2"; }
  /// Generations completed (0 while the first population is evaluated).
  [[nodiscard]] std::int64_t generation() const { return generation_; }
  /// The parents, front by front (empty until generation 0 is told).
  [[nodiscard]] const std::vector<Evaluated<Arch>>& parents() const { return parents_; }
  /// The parents of the first front: the best trade-offs so far (feasible
  /// ones whenever any parent is feasible).
  [[nodiscard]] std::vector<Evaluated<Arch>> front() const {
    std::vector<Evaluated<Arch>> out;
    for (std::size_t i = 0; i < parents_.size(); ++i)
      if (rank_[i] == 0) out.push_back(parents_[i]);
    return out;
  }

  [[nodiscard]] std::vector<Arch> ask(std::int64_t n) {
    HWNAS_CHECK_CONFIG(n >= 0, "nsga2: cannot ask for {} candidates", n);
    std::vector<Arch> archs;
    for (std::int64_t i = 0; i < n; ++i) {
      Rng rng(derive_seed(derive_seed(options_.seed(), static_cast<std::uint64_t>(generation_)), asked_++));
      archs.push_back(parents_.empty() ? space_.sample(rng) : offspring(rng));
      ++pending_;
    }
    return archs;
  }

  void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) {
    HWNAS_CHECK_CONFIG(archs.size() == evaluations.size() && archs.size() <= pending_,
                       "nsga2: told {} candidates with {} evaluations, {} were asked", archs.size(),
                       evaluations.size(), pending_);
    for (std::size_t i = 0; i < archs.size(); ++i) {
      --pending_;
      offspring_.push_back({archs[i], evaluations[i]});
      if (std::ssize(offspring_) >= options_.population()) next_generation();
    }
  }

  [[nodiscard]] nlohmann::json state() const {
    return {{"strategy", name()},
            {"seed", options_.seed()},
            {"generation", generation_},
            {"asked", asked_},
            {"pending", pending_},
            {"parents", detail::members_to_json(space_, parents_)},
            {"offspring", detail::members_to_json(space_, offspring_)}};
  }

  /// ConfigError for the state of another strategy or seed.
  void restore(const nlohmann::json& state) {
    detail::check_resumable(state, name(), options_.seed());
    generation_ = state.at("generation").get<std::int64_t>();
    asked_ = state.at("asked").get<std::uint64_t>();
    pending_ = state.at("pending").get<std::size_t>();
    parents_ = detail::members_from_json(space_, state.at("parents"));
    offspring_ = detail::members_from_json(space_, state.at("offspring"));
    rank_parents();
  }

 private:
  [[nodiscard]] static std::vector<Evaluation> evaluations_of(const std::vector<Evaluated<Arch>>& members) {
    std::vector<Evaluation> out;
    out.reserve(members.size());
    for (const auto& m : members) out.push_back(m.evaluation);
    return out;
  }

  /// Environmental selection: whole fronts while they fit, then the least
  /// crowded of the front that fits only partly.
  void next_generation() {
    std::vector<Evaluated<Arch>> merged = std::move(parents_);
    merged.insert(merged.end(), offspring_.begin(), offspring_.end());
    const std::vector<Evaluation> points = evaluations_of(merged);
    const auto size = static_cast<std::size_t>(options_.population());
    parents_.clear();
    for (const auto& front : non_dominated_sort(points)) {
      if (parents_.size() + front.size() <= size) {
        for (const std::size_t i : front) parents_.push_back(merged[i]);
        continue;
      }
      const std::vector<double> distance = crowding_distance(points, front);
      std::vector<std::size_t> order(front.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return distance[a] > distance[b]; });
      order.resize(size - parents_.size());
      for (const std::size_t k : order) parents_.push_back(merged[front[k]]);
      break;
    }
    offspring_.clear();
    ++generation_;
    asked_ = 0;
    rank_parents();
  }

  /// Each parent's front and its crowding distance within it, for the tournaments.
  void rank_parents() {
    const std::vector<Evaluation> points = evaluations_of(parents_);
    rank_.assign(parents_.size(), 0);
    crowding_.assign(parents_.size(), 0.0);
    const auto fronts = non_dominated_sort(points);
    for (std::size_t r = 0; r < fronts.size(); ++r) {
      const std::vector<double> distance = crowding_distance(points, fronts[r]);
      for (std::size_t k = 0; k < fronts[r].size(); ++k) {
        rank_[fronts[r][k]] = r;
        crowding_[fronts[r][k]] = distance[k];
      }
    }
  }

  [[nodiscard]] std::size_t tournament(Rng& rng) const {
    const auto a = static_cast<std::size_t>(rng.uniform_int(parents_.size()));
    const auto b = static_cast<std::size_t>(rng.uniform_int(parents_.size()));
    if (rank_[a] != rank_[b]) return rank_[a] < rank_[b] ? a : b;
    return crowding_[b] > crowding_[a] ? b : a;
  }

  /// A child of two tournament winners, bred again while it equals a parent.
  [[nodiscard]] Arch offspring(Rng& rng) const {
    Arch child = breed(rng);
    for (int tries = 1; tries < detail::max_breeding_tries && is_parent(child); ++tries) child = breed(rng);
    return child;
  }
  [[nodiscard]] Arch breed(Rng& rng) const {
    const Arch& mother = parents_[tournament(rng)].arch;
    const Arch& father = parents_[tournament(rng)].arch;
    const Arch child = rng.bernoulli(options_.crossover_prob()) ? space_.crossover(mother, father, rng) : mother;
    return space_.mutate(child, rng, options_.mutate_prob());
  }
  [[nodiscard]] bool is_parent(const Arch& arch) const {
    return std::ranges::any_of(parents_, [&](const Evaluated<Arch>& p) { return p.arch == arch; });
  }

  Space space_;
  Nsga2Options options_;
  std::int64_t generation_ = 0;
  std::uint64_t asked_ = 0;  ///< Asked in the generation in progress.
  std::size_t pending_ = 0;  ///< Asked, not yet told.
  std::vector<Evaluated<Arch>> parents_;
  std::vector<std::size_t> rank_;  ///< Of each parent: its front, 0 the best.
  std::vector<double> crowding_;   ///< Of each parent: its crowding distance within its front.
  std::vector<Evaluated<Arch>> offspring_;
};

}  // namespace hwnas::search
