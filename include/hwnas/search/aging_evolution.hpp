#pragma once
/// \file
/// Aging (regularised) evolution (Real et al. 2019), in ask/tell form:
///
/// - the first `population` candidates asked are random;
/// - every later one is a mutant of a parent: `sample_size` members drawn
///   uniformly, with replacement, from the current population, the best of
///   them the parent (feasible before infeasible, then the most accurate; the
///   first drawn among equals). Each choice of the parent is redrawn with
///   probability `mutate_prob`; a mutant equal to its parent is drawn again
///   (16 draws in all at most);
/// - every told candidate joins the population, a queue: once it holds more
///   than `population` members the oldest leaves, however good it is.
///
/// Candidates asked before any is told have no population to come from: they
/// are random too, even past the first `population`. Mutants are bred from
/// whatever has been told when they are asked, so a Searcher that asks in
/// large batches breeds from an older population, as a parallel run does.
///
/// Candidate i draws from its own generator (seed, i): the candidates do not
/// depend on how asks are batched, and a restored strategy asks for exactly
/// those the original would have. Evaluations must be told in the order the
/// candidates were asked.

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evaluated.hpp"

namespace hwnas::search {

class AgingEvolutionOptions {
  HWNAS_ARG(std::int64_t, population, 100)
  HWNAS_ARG(std::int64_t, sample_size, 25)
  HWNAS_ARG(double, mutate_prob, 0.1)
  HWNAS_ARG(std::uint64_t, seed, 0)
};

template <space::SearchSpace Space>
class AgingEvolution {
 public:
  using Arch = typename Space::Arch;

  /// ConfigError for a population under 1, a sample size outside
  /// [1, population] or a mutation probability outside (0, 1] (a mutant must
  /// be able to differ from its parent).
  AgingEvolution(Space space, AgingEvolutionOptions options) : space_(std::move(space)), options_(options) {
    HWNAS_CHECK_CONFIG(options.population() >= 1, "aging evolution: the population must be at least 1, got {}",
                       options.population());
    HWNAS_CHECK_CONFIG(options.sample_size() >= 1 && options.sample_size() <= options.population(),
                       "aging evolution: the sample size must be in [1, population = {}], got {}",
                       options.population(), options.sample_size());
    HWNAS_CHECK_CONFIG(options.mutate_prob() > 0.0 && options.mutate_prob() <= 1.0,
                       "aging evolution: the mutation probability must be in (0, 1], got {}", options.mutate_prob());
  }

  [[nodiscard]] std::string_view name() const { return "aging-evolution"; }
  /// The living members, oldest first.
  [[nodiscard]] const std::deque<Evaluated<Arch>>& population() const { return population_; }
  /// Candidates asked so far.
  [[nodiscard]] std::uint64_t asked() const { return asked_; }

  [[nodiscard]] std::vector<Arch> ask(std::int64_t n) {
    HWNAS_CHECK_CONFIG(n >= 0, "aging evolution: cannot ask for {} candidates", n);
    std::vector<Arch> archs;
    for (std::int64_t i = 0; i < n; ++i) {
      Rng rng(derive_seed(options_.seed(), asked_));
      const bool random = asked_ < static_cast<std::uint64_t>(options_.population()) || population_.empty();
      archs.push_back(random ? space_.sample(rng) : mutant(rng));
      ++asked_;
      ++pending_;
    }
    return archs;
  }

  void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) {
    HWNAS_CHECK_CONFIG(archs.size() == evaluations.size() && archs.size() <= pending_,
                       "aging evolution: told {} candidates with {} evaluations, {} were asked", archs.size(),
                       evaluations.size(), pending_);
    for (std::size_t i = 0; i < archs.size(); ++i) population_.push_back({archs[i], evaluations[i]});
    pending_ -= archs.size();
    age();
  }

  [[nodiscard]] nlohmann::json state() const {
    return {{"strategy", name()},
            {"seed", options_.seed()},
            {"asked", asked_},
            {"pending", pending_},
            {"population", detail::members_to_json(space_, population_)}};
  }

  /// ConfigError for the state of another strategy or seed. A state with
  /// more members than this strategy's population loses its oldest.
  void restore(const nlohmann::json& state) {
    detail::check_resumable(state, name(), options_.seed());
    asked_ = state.at("asked").get<std::uint64_t>();
    pending_ = state.at("pending").get<std::size_t>();
    const auto members = detail::members_from_json(space_, state.at("population"));
    population_.assign(members.begin(), members.end());
    age();
  }

 private:
  void age() {
    while (std::ssize(population_) > options_.population()) population_.pop_front();
  }

  [[nodiscard]] static bool better(const Evaluation& a, const Evaluation& b) {
    if (a.feasible != b.feasible) return a.feasible;
    return detail::ranked_accuracy(a) > detail::ranked_accuracy(b);
  }

  [[nodiscard]] Arch mutant(Rng& rng) const {
    const Evaluated<Arch>* parent = nullptr;
    for (std::int64_t i = 0; i < options_.sample_size(); ++i) {
      const Evaluated<Arch>& drawn = population_[rng.uniform_int(population_.size())];
      if (parent == nullptr || better(drawn.evaluation, parent->evaluation)) parent = &drawn;
    }
    Arch child = space_.mutate(parent->arch, rng, options_.mutate_prob());
    for (int tries = 1; tries < detail::max_breeding_tries && child == parent->arch; ++tries)
      child = space_.mutate(parent->arch, rng, options_.mutate_prob());
    return child;
  }

  Space space_;
  AgingEvolutionOptions options_;
  std::uint64_t asked_ = 0;
  std::size_t pending_ = 0;  ///< Asked, not yet told.
  std::deque<Evaluated<Arch>> population_;
};

}  // namespace hwnas::search
