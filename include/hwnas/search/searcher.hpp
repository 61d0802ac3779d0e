#pragma once
/// \file
/// `Searcher<Space, Estimator, Cost, Strategy>`: the facade that runs a
/// search. It owns its four parts by value and runs the ask/evaluate/tell
/// loop: the strategy proposes candidates, the cost model and the constraints
/// decide which are feasible, the estimator ranks those, the strategy learns
/// the results; callbacks watch every round.
///
///     search::Searcher searcher(space, estimator, lut, search::Evolution(space, {}),
///                               search::SearchOptions().cost_budget(1.2).max_evaluations(5000));
///     auto result = searcher.run(search::HistoryLogger("history.jsonl"), search::EarlyStop(20));
///     result.best->arch;   // the most accurate candidate within 1.2 ms
///     result.pareto;       // accuracy-vs-cost front of the feasible candidates
///
/// - A candidate is feasible when its cost is within `cost_budget` and its
///   parameters within `params_limit`. Its accuracy is estimated only then
///   (unless `estimate_infeasible`): the cost model is usually far cheaper.
/// - Candidates that build the same network (equal `canonical` strings) are
///   estimated once; repeats take the first one's figures.
/// - A round's new candidates are evaluated on the thread pool when the
///   estimator and the cost model both say they are `thread_safe()`.
/// - `state()` / `restore()` save and resume a search; a restored search
///   proposes and records exactly what the uninterrupted one would have
///   (given deterministic parts), which the `Checkpoint` callback relies on.
///
/// Callbacks (see callbacks.hpp) are any objects with some of
/// `on_start(searcher)`, `on_round(searcher)` and `on_finish(searcher)`;
/// `on_round` may return `Control::stop` to end the search.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/cost/concepts.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/search/candidate.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evolution.hpp"

namespace hwnas::search {

/// What the search optimises: the most accurate candidate under the
/// constraints, or the whole accuracy-vs-cost front (which then decides
/// what counts as progress, e.g. for `EarlyStop`).
enum class Objective { accuracy, pareto };

class SearchOptions {
  /// Candidates costing more are infeasible.
  HWNAS_ARG(double, cost_budget, std::numeric_limits<double>::infinity())
  /// Candidates with more learnable parameters are infeasible.
  HWNAS_ARG(std::int64_t, params_limit, std::numeric_limits<std::int64_t>::max())
  HWNAS_ARG(Objective, objective, Objective::accuracy)
  /// Candidates proposed in all (repeats included), and wall seconds.
  HWNAS_ARG(std::int64_t, max_evaluations, 1000)
  HWNAS_ARG(double, max_seconds, std::numeric_limits<double>::infinity())
  /// Candidates asked per round; the population size keeps rounds aligned with generations.
  HWNAS_ARG(std::int64_t, batch, 100)
  /// Evaluate a round's candidates on the thread pool when the parts allow it.
  HWNAS_ARG(bool, parallel, true)
  /// Estimate the accuracy of infeasible candidates too (strategies with soft penalties use it).
  HWNAS_ARG(bool, estimate_infeasible, false)
};

/// A callback's verdict after a round.
enum class Control { proceed, stop };

template <class Arch>
struct SearchResult {
  /// Every candidate proposed, in order.
  std::vector<Candidate<Arch>> history;
  /// The most accurate feasible candidate (cheaper first on ties); empty when none was feasible.
  std::optional<Candidate<Arch>> best;
  /// Feasible candidates no other beats on both accuracy and cost, cheapest first.
  std::vector<Candidate<Arch>> pareto;
  /// Architectures the estimator actually ran on.
  std::int64_t estimates = 0;
  double seconds = 0.0;
  /// "evaluations", "time" or "callback".
  std::string stopped_by;
};

template <class Space, class Estimator, class CostModel, class Strategy = Evolution<Space>>
class Searcher {
  static_assert(space::SearchSpace<Space>, "Searcher<Space, ...>: Space must model hwnas::space::SearchSpace");
  static_assert(estimate::AccuracyEstimator<Estimator, Space>,
                "Searcher<Space, Estimator, ...>: Estimator must model AccuracyEstimator<Estimator, Space> "
                "(estimate(const Space::Arch&) -> Estimate, name())");
  static_assert(cost::CostModel<CostModel, Space>,
                "Searcher<Space, Estimator, Cost, ...>: Cost must model CostModel<Cost, Space> "
                "(cost(const Space::Arch&) -> Cost, name())");
  static_assert(SearchStrategy<Strategy, Space>,
                "Searcher<Space, Estimator, Cost, Strategy>: Strategy must model SearchStrategy<Strategy, Space> "
                "(ask/tell over Space::Arch, state/restore)");

 public:
  using Arch = typename Space::Arch;

  /// ConfigError for a budget that allows nothing.
  Searcher(Space space, Estimator estimator, CostModel cost, Strategy strategy, SearchOptions options = {})
      : space_(std::move(space)),
        estimator_(std::move(estimator)),
        cost_(std::move(cost)),
        strategy_(std::move(strategy)),
        options_(options) {
    HWNAS_CHECK_CONFIG(options.max_evaluations() >= 1 && options.batch() >= 1 && options.max_seconds() > 0.0,
                       "search: the budget must allow at least one evaluation (evaluations {}, batch {}, seconds {})",
                       options.max_evaluations(), options.batch(), options.max_seconds());
    HWNAS_CHECK_CONFIG(!std::isnan(options.cost_budget()) && options.params_limit() >= 0,
                       "search: the cost budget must be a number and the parameter limit non-negative");
  }

  /// Runs (or, after `restore`, continues) until the budget is spent or a callback stops it.
  template <class... Callbacks>
  SearchResult<Arch> run(Callbacks&&... callbacks) {
    static_assert((SearchCallback<std::remove_cvref_t<Callbacks>> && ...),
                  "Searcher::run: each callback needs on_start, on_round or on_finish taking the Searcher");
    (call_on_start(callbacks), ...);
    history_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(options_.max_evaluations(), 1 << 20)));
    std::string stopped_by;
    while (stopped_by.empty()) {
      if (std::ssize(history_) >= options_.max_evaluations()) {
        stopped_by = "evaluations";
        break;
      }
      if (seconds_ >= options_.max_seconds()) {
        stopped_by = "time";
        break;
      }
      run_round();
      bool stop = false;
      ((stop = (call_on_round(callbacks) == Control::stop) || stop), ...);
      if (stop) stopped_by = "callback";
    }
    (call_on_finish(callbacks), ...);
    return result(std::move(stopped_by));
  }

  [[nodiscard]] const Space& space() const { return space_; }
  [[nodiscard]] const Strategy& strategy() const { return strategy_; }
  [[nodiscard]] const Estimator& estimator() const { return estimator_; }
  [[nodiscard]] const CostModel& cost_model() const { return cost_; }
  [[nodiscard]] const SearchOptions& options() const { return options_; }
  /// Every candidate so far, in order.
  [[nodiscard]] const std::vector<Candidate<Arch>>& history() const { return history_; }
  /// The candidates of the last round.
  [[nodiscard]] std::size_t round_begin() const { return round_begin_; }
  /// Rounds completed.
  [[nodiscard]] std::int64_t rounds() const { return rounds_; }
  /// The best so far (see `SearchResult::best`).
  [[nodiscard]] const Candidate<Arch>* best() const { return best_ ? &history_[*best_] : nullptr; }
  /// The last round that improved the objective (-1 before any did).
  [[nodiscard]] std::int64_t last_improvement() const { return last_improvement_; }
  /// Wall seconds spent, those of earlier runs of a restored search included.
  [[nodiscard]] double seconds() const { return seconds_; }

  /// Everything needed to continue the search: the strategy's state and the history.
  [[nodiscard]] nlohmann::json state() const {
    nlohmann::json history = nlohmann::json::array();
    for (const auto& c : history_) history.push_back(candidate_json(space_, c));
    return {{"space", space_.name()},   {"strategy", strategy_.state()}, {"history", std::move(history)},
            {"rounds", rounds_},        {"seconds", seconds_},           {"estimates", estimates_}};
  }

  /// ConfigError for the state of a search over another space or with another strategy.
  void restore(const nlohmann::json& state) {
    HWNAS_CHECK_CONFIG(state.is_object() && state.value("space", "") == space_.name(),
                       "search: cannot resume a search over '{}' as one over '{}'",
                       state.is_object() ? state.value("space", "?") : "?", space_.name());
    strategy_.restore(state.at("strategy"));
    history_.clear();
    cache_.clear();
    best_.reset();
    front_.clear();
    last_improvement_ = -1;
    for (const auto& record : state.at("history")) {
      history_.push_back(candidate_from_json(space_, record));
      cache_.try_emplace(space_.canonical(history_.back().arch), history_.size() - 1);
      remember(history_.back());
    }
    rounds_ = state.at("rounds").get<std::int64_t>();
    seconds_ = state.at("seconds").get<double>();
    estimates_ = state.at("estimates").get<std::int64_t>();
    round_begin_ = history_.size();
  }

 private:
  template <class C>
  static constexpr bool SearchCallback = requires(C& c, const Searcher& s) { c.on_start(s); } ||
                                         requires(C& c, const Searcher& s) { c.on_round(s); } ||
                                         requires(C& c, const Searcher& s) { c.on_finish(s); };

  template <class C>
  void call_on_start(C& callback) const {
    if constexpr (requires { callback.on_start(*this); }) callback.on_start(*this);
  }
  template <class C>
  Control call_on_round(C& callback) const {
    if constexpr (requires { { callback.on_round(*this) } -> std::same_as<Control>; })
      return callback.on_round(*this);
    else if constexpr (requires { callback.on_round(*this); })
      callback.on_round(*this);
    return Control::proceed;
  }
  template <class C>
  void call_on_finish(C& callback) const {
    if constexpr (requires { callback.on_finish(*this); }) callback.on_finish(*this);
  }

  void run_round() {
    const auto start = std::chrono::steady_clock::now();
    const std::int64_t n = std::min(options_.batch(), options_.max_evaluations() - std::ssize(history_));
    const std::vector<Arch> archs = strategy_.ask(n);
    HWNAS_CHECK_CONFIG(std::ssize(archs) == n, "search: strategy '{}' gave {} candidates for {} asked",
                       strategy_.name(), archs.size(), n);
    round_begin_ = history_.size();
    // New networks are evaluated; repeats (also within the round) copy the first one's figures.
    std::vector<std::size_t> fresh;
    std::vector<std::size_t> firsts;  ///< per candidate, the first with its network
    for (const Arch& arch : archs) {
      const std::size_t i = history_.size();
      const auto [first, inserted] = cache_.try_emplace(space_.canonical(arch), i);
      firsts.push_back(first->second);
      if (inserted) fresh.push_back(i);
      Candidate<Arch> c;
      c.index = static_cast<std::int64_t>(i);
      c.round = rounds_;
      c.arch = arch;
      history_.push_back(std::move(c));
    }
    const auto evaluate_fresh = [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) evaluate(history_[fresh[static_cast<std::size_t>(i)]]);
    };
    try {
      if (options_.parallel() && is_thread_safe(estimator_) && is_thread_safe(cost_))
        parallel_for(0, std::ssize(fresh), 1, evaluate_fresh);
      else
        evaluate_fresh(0, std::ssize(fresh));
    } catch (...) {
      // The history and the cache keep only evaluated candidates (the last checkpoint stays the place to resume).
      for (std::size_t i : fresh) cache_.erase(space_.canonical(history_[i].arch));
      history_.resize(round_begin_);
      throw;
    }

    std::vector<Evaluation> evaluations;
    for (std::size_t i = round_begin_; i < history_.size(); ++i) {
      Candidate<Arch>& c = history_[i];
      const std::size_t first = firsts[i - round_begin_];
      if (first != i)
        c = with_figures_of(history_[first], c);
      else if (c.feasible || options_.estimate_infeasible())
        ++estimates_;
      remember(c);
      evaluations.push_back(c.evaluation());
    }
    strategy_.tell(archs, evaluations);
    ++rounds_;
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  /// Costs `c`, checks the constraints, and estimates its accuracy when that is needed.
  void evaluate(Candidate<Arch>& c) {
    const auto start = std::chrono::steady_clock::now();
    const cost::Cost cost = cost_.cost(c.arch);
    c.cost = cost.value;
    c.unit = cost.unit;
    c.params = space_.params(c.arch);
    c.feasible = c.cost <= options_.cost_budget() && c.params <= options_.params_limit();
    if (c.feasible || options_.estimate_infeasible()) c.accuracy = estimator_.estimate(c.arch).value;
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  /// A repeat of `first`: its figures, at `repeat`'s place in the history.
  [[nodiscard]] static Candidate<Arch> with_figures_of(const Candidate<Arch>& first, const Candidate<Arch>& repeat) {
    Candidate<Arch> c = first;
    c.index = repeat.index;
    c.round = repeat.round;
    c.arch = repeat.arch;
    c.cached = true;
    c.seconds = 0.0;
    return c;
  }

  /// Updates the best candidate and the front with a recorded candidate.
  void remember(const Candidate<Arch>& c) {
    const auto i = static_cast<std::size_t>(c.index);
    if (!c.ranked() || c.cached) return;
    const bool better = !best_ || c.accuracy > history_[*best_].accuracy ||
                        (c.accuracy == history_[*best_].accuracy && c.cost < history_[*best_].cost);
    if (better) best_ = i;
    // The front holds no two candidates where one is at least as good on both counts.
    const auto covers = [](const Candidate<Arch>& a, const Candidate<Arch>& b) {
      return a.accuracy >= b.accuracy && a.cost <= b.cost;
    };
    const bool on_front = std::ranges::none_of(front_, [&](std::size_t j) { return covers(history_[j], c); });
    if (on_front) {
      std::erase_if(front_, [&](std::size_t j) { return covers(c, history_[j]); });
      front_.push_back(i);
    }
    if (options_.objective() == Objective::accuracy ? (better && best_ == i) : on_front) last_improvement_ = c.round;
  }

  [[nodiscard]] SearchResult<Arch> result(std::string stopped_by) const {
    SearchResult<Arch> r;
    r.history = history_;
    if (best_) r.best = history_[*best_];
    for (std::size_t i : front_) r.pareto.push_back(history_[i]);
    std::ranges::sort(r.pareto, {}, [](const Candidate<Arch>& c) { return c.cost; });
    r.estimates = estimates_;
    r.seconds = seconds_;
    r.stopped_by = std::move(stopped_by);
    return r;
  }

  Space space_;
  Estimator estimator_;
  CostModel cost_;
  Strategy strategy_;
  SearchOptions options_;

  std::vector<Candidate<Arch>> history_;
  /// canonical string -> the first candidate with that network.
  std::unordered_map<std::string, std::size_t> cache_;
  std::optional<std::size_t> best_;
  std::vector<std::size_t> front_;
  std::int64_t rounds_ = 0;
  std::size_t round_begin_ = 0;
  std::int64_t last_improvement_ = -1;
  std::int64_t estimates_ = 0;
  double seconds_ = 0.0;
};

}  // namespace hwnas::search
