#pragma once
/// \file
/// REINFORCE over a space's decisions, as ProxylessNAS's reinforcement-
/// learning variant runs it, with MnasNet's latency-aware reward (Tan et al.
/// 2019), in ask/tell form:
///
/// - the policy is one independent softmax over the options of each
///   decision of the space (`DecisionSpace`), its logits starting at zero
///   (every architecture equally likely);
/// - `ask(n)`: each candidate drawn from the current policy with its own
///   generator seeded by (seed, candidate number), so the candidates depend
///   on what was told, never on how the asks are batched;
/// - `tell`: a reward R per evaluation (below), and one Adam step on the
///   logits along the REINFORCE gradient, averaged over the rewarded
///   candidates of the tell: mean (R - b) grad log pi(decisions), plus
///   `entropy_weight` x grad H(pi) (the summed entropy of the decisions),
///   with b the moving-average baseline.
///
/// Rewards, defined for every evaluation the Searcher can report:
/// - feasible: `mnasnet_reward(accuracy, cost, target_cost, alpha, beta)`;
/// - infeasible (a constraint broken), or an infinite accuracy (the
///   Searcher's -infinity for an estimate that failed, or an overflowed
///   score): the lowest reward of any feasible candidate with a finite
///   accuracy told so far, this tell included, so that such a candidate is
///   never better than anything found; those told before the first such
///   feasible one are skipped (there is nothing to rank them against);
/// - NaN accuracy (an evaluation that did not happen): skipped.
///
/// The baseline: the first reward initialises it; each candidate of a tell
/// is compared with the baseline as it was before the tell, then every
/// reward, in order, updates it: b <- decay x b + (1 - decay) x R. A tell
/// without a rewarded candidate changes nothing.
///
/// Tells may come in any size and order, and may hold candidates this
/// strategy did not ask for: the decisions are read from the architectures.
/// Adam uses beta1 0.9, beta2 0.999, epsilon 1e-8.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/search/concepts.hpp"

namespace hwnas::search {

/// MnasNet's reward: R = accuracy x (cost / target)^w with w = `alpha` when
/// cost <= target and `beta` otherwise (alpha 0, beta -0.07: a soft penalty
/// only above the target; alpha = beta = -0.07: MnasNet's soft trade-off).
///
/// A negative accuracy (zero-cost proxies give arbitrary scores) is divided
/// by the factor instead, so that the factor moves every accuracy the same
/// way: exceeding the target always lowers the reward, and R stays
/// continuous through accuracy 0. A target of 0 means no cost term
/// (R = accuracy). ConfigError for a negative or non-finite target, or,
/// with a target, a cost that is not positive and finite.
[[nodiscard]] inline double mnasnet_reward(double accuracy, double cost, double target, double alpha, double beta) {
  HWNAS_CHECK_CONFIG(std::isfinite(target) && target >= 0.0, "mnasnet reward: the cost target must be >= 0, got {}",
                     target);
  if (target == 0.0) return accuracy;
  HWNAS_CHECK_CONFIG(std::isfinite(cost) && cost > 0.0,
                     "mnasnet reward: with a cost target, costs must be positive and finite, got {}", cost);
  const double factor = std::pow(cost / target, cost <= target ? alpha : beta);
  return accuracy < 0.0 ? accuracy / factor : accuracy * factor;
}

class ReinforceOptions {
  /// Adam's step size on the logits.
  HWNAS_ARG(double, learning_rate, 0.05)
  /// The moving-average baseline's decay.
  HWNAS_ARG(double, baseline_decay, 0.95)
  /// Weight of the policy's entropy in the objective (keeps it exploring).
  HWNAS_ARG(double, entropy_weight, 0.0)
  /// The cost target of the reward (0: the reward is the accuracy).
  HWNAS_ARG(double, target_cost, 0.0)
  /// The reward's cost exponent at or below the target.
  HWNAS_ARG(double, alpha, 0.0)
  /// The reward's cost exponent above the target.
  HWNAS_ARG(double, beta, -0.07)
  HWNAS_ARG(std::uint64_t, seed, 0)
};

template <space::DecisionSpace Space>
class Reinforce {
 public:
  using Arch = typename Space::Arch;
  /// One row per decision, one value per option.
  using Table = std::vector<std::vector<double>>;

  /// ConfigError for a learning rate that is not positive, a baseline decay
  /// outside [0, 1), a negative entropy weight or target, or non-finite
  /// settings.
  Reinforce(Space space, ReinforceOptions options) : space_(std::move(space)), options_(options) {
    const auto finite = [](double v) { return std::isfinite(v); };
    HWNAS_CHECK_CONFIG(finite(options.learning_rate()) && options.learning_rate() > 0.0,
                       "rl: the learning rate must be positive, got {}", options.learning_rate());
    HWNAS_CHECK_CONFIG(options.baseline_decay() >= 0.0 && options.baseline_decay() < 1.0,
                       "rl: the baseline decay must be in [0, 1), got {}", options.baseline_decay());
    HWNAS_CHECK_CONFIG(finite(options.entropy_weight()) && options.entropy_weight() >= 0.0,
                       "rl: the entropy weight must be >= 0, got {}", options.entropy_weight());
    HWNAS_CHECK_CONFIG(finite(options.target_cost()) && options.target_cost() >= 0.0,
                       "rl: the cost target must be >= 0 (0: none), got {}", options.target_cost());
    HWNAS_CHECK_CONFIG(finite(options.alpha()) && finite(options.beta()),
                       "rl: the reward exponents must be finite, got alpha {} and beta {}", options.alpha(),
                       options.beta());
    for (const std::int64_t n : space_.decisions()) {
      HWNAS_CHECK_CONFIG(n >= 1, "rl: every decision of space {} needs an option, one has {}", space_.name(), n);
      logits_.emplace_back(static_cast<std::size_t>(n), 0.0);
    }
    m_ = zeros_like(logits_);
    v_ = zeros_like(logits_);
  }

  [[nodiscard]] std::string_view name() const { return "rl"; }

  /// The policy: per decision, the probability of each option.
  [[nodiscard]] Table probabilities() const {
    Table p;
    for (const auto& row : logits_) p.push_back(softmax(row));
    return p;
  }
  /// The moving-average baseline (none before the first reward).
  [[nodiscard]] std::optional<double> baseline() const { return baseline_; }
  /// Adam steps taken: tells that held a rewarded candidate.
  [[nodiscard]] std::int64_t steps() const { return steps_; }

  [[nodiscard]] std::vector<Arch> ask(std::int64_t n) {
    HWNAS_CHECK_CONFIG(n >= 0, "rl: cannot ask for {} candidates", n);
    const Table policy = probabilities();
    std::vector<Arch> archs;
    std::vector<std::int64_t> indices(policy.size());
    for (std::int64_t i = 0; i < n; ++i) {
      Rng rng(derive_seed(options_.seed(), asked_++));
      for (std::size_t d = 0; d < policy.size(); ++d) indices[d] = draw(policy[d], rng);
      archs.push_back(space_.from_decisions(indices));
    }
    return archs;
  }

  void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) {
    HWNAS_CHECK_CONFIG(archs.size() == evaluations.size(), "rl: told {} candidates with {} evaluations",
                       archs.size(), evaluations.size());
    // Every reward first, so that a bad evaluation leaves the strategy untouched.
    std::vector<std::optional<double>> feasible_rewards(archs.size());
    std::optional<double> lowest = lowest_reward_;
    for (std::size_t i = 0; i < archs.size(); ++i) {
      const Evaluation& e = evaluations[i];
      if (!e.feasible || !std::isfinite(e.accuracy)) continue;
      feasible_rewards[i] = reward(e);
      lowest = std::min(lowest.value_or(*feasible_rewards[i]), *feasible_rewards[i]);
    }
    std::vector<std::vector<std::int64_t>> chosen;
    std::vector<double> rewards;
    for (std::size_t i = 0; i < archs.size(); ++i) {
      const std::optional<double> r = feasible_rewards[i] ? feasible_rewards[i] : lowest;
      if (std::isnan(evaluations[i].accuracy) || !r) continue;
      chosen.push_back(space_.to_decisions(archs[i]));
      rewards.push_back(*r);
    }
    lowest_reward_ = lowest;
    if (rewards.empty()) return;

    const double b = baseline_.value_or(rewards.front());
    for (const double r : rewards)
      baseline_ = options_.baseline_decay() * baseline_.value_or(r) + (1.0 - options_.baseline_decay()) * r;
    adam_step(gradient(chosen, rewards, b));
  }

  [[nodiscard]] nlohmann::json state() const {
    const auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    return {{"strategy", name()},
            {"seed", options_.seed()},
            {"asked", asked_},
            {"steps", steps_},
            {"logits", logits_},
            {"adam_m", m_},
            {"adam_v", v_},
            {"baseline", optional(baseline_)},
            {"lowest_reward", optional(lowest_reward_)}};
  }

  /// ConfigError for the state of another strategy, seed or space.
  void restore(const nlohmann::json& state) {
    HWNAS_CHECK_CONFIG(state.value("strategy", "") == name() &&
                           state.value("seed", options_.seed() + 1) == options_.seed(),
                       "rl: cannot resume from state of strategy '{}'", state.value("strategy", "?"));
    Table logits = state.at("logits").get<Table>();
    Table m = state.at("adam_m").get<Table>();
    Table v = state.at("adam_v").get<Table>();
    const auto same_shape = [&](const Table& t) {
      return std::ranges::equal(t, logits_, [](const auto& a, const auto& b) { return a.size() == b.size(); });
    };
    HWNAS_CHECK_CONFIG(same_shape(logits) && same_shape(m) && same_shape(v),
                       "rl: cannot resume: the state's policy does not fit the decisions of space {}", space_.name());
    const auto optional = [](const nlohmann::json& j) {
      return j.is_null() ? std::optional<double>() : std::optional<double>(j.get<double>());
    };
    asked_ = state.at("asked").get<std::uint64_t>();
    steps_ = state.at("steps").get<std::int64_t>();
    logits_ = std::move(logits);
    m_ = std::move(m);
    v_ = std::move(v);
    baseline_ = optional(state.at("baseline"));
    lowest_reward_ = optional(state.at("lowest_reward"));
  }

 private:
  static constexpr double adam_beta1 = 0.9;
  static constexpr double adam_beta2 = 0.999;
  static constexpr double adam_epsilon = 1e-8;

  [[nodiscard]] double reward(const Evaluation& e) const {
    return mnasnet_reward(e.accuracy, e.cost, options_.target_cost(), options_.alpha(), options_.beta());
  }

  [[nodiscard]] static Table zeros_like(const Table& t) {
    Table out;
    for (const auto& row : t) out.emplace_back(row.size(), 0.0);
    return out;
  }

  /// log softmax of `logits`, finite even where a probability underflows.
  [[nodiscard]] static std::vector<double> log_softmax(const std::vector<double>& logits) {
    const double max = *std::ranges::max_element(logits);
    double sum = 0.0;
    for (const double l : logits) sum += std::exp(l - max);
    const double log_sum = max + std::log(sum);
    std::vector<double> out;
    for (const double l : logits) out.push_back(l - log_sum);
    return out;
  }
  [[nodiscard]] static std::vector<double> softmax(const std::vector<double>& logits) {
    std::vector<double> p = log_softmax(logits);
    for (double& x : p) x = std::exp(x);
    return p;
  }

  /// An option drawn with the probabilities `p`.
  [[nodiscard]] static std::int64_t draw(const std::vector<double>& p, Rng& rng) {
    double u = rng.uniform();
    for (std::size_t k = 0; k + 1 < p.size(); ++k) {
      if (u < p[k]) return static_cast<std::int64_t>(k);
      u -= p[k];
    }
    // The last option takes what rounding leaves of the unit interval.
    return static_cast<std::int64_t>(p.size()) - 1;
  }

  /// The gradient of the loss Adam minimises: minus the REINFORCE objective
  /// mean (R - b) log pi(decisions) + entropy_weight x H(pi).
  [[nodiscard]] Table gradient(const std::vector<std::vector<std::int64_t>>& chosen,
                               const std::vector<double>& rewards, double baseline) const {
    Table grad = zeros_like(logits_);
    const double scale = 1.0 / static_cast<double>(rewards.size());
    for (std::size_t d = 0; d < logits_.size(); ++d) {
      const std::vector<double> log_p = log_softmax(logits_[d]);
      std::vector<double> p;
      double entropy = 0.0;
      for (const double lp : log_p) {
        p.push_back(std::exp(lp));
        entropy -= p.back() * lp;
      }
      for (std::size_t i = 0; i < rewards.size(); ++i) {
        // d log p[c] / d logit[k] = [k == c] - p[k]
        const double advantage = (rewards[i] - baseline) * scale;
        const auto c = static_cast<std::size_t>(chosen[i][d]);
        for (std::size_t k = 0; k < p.size(); ++k) grad[d][k] -= advantage * ((k == c ? 1.0 : 0.0) - p[k]);
      }
      // d H / d logit[k] = -p[k] (log p[k] + H)
      for (std::size_t k = 0; k < p.size(); ++k)
        grad[d][k] += options_.entropy_weight() * p[k] * (log_p[k] + entropy);
    }
    return grad;
  }

  void adam_step(const Table& grad) {
    ++steps_;
    const double correction1 = 1.0 - std::pow(adam_beta1, static_cast<double>(steps_));
    const double correction2 = 1.0 - std::pow(adam_beta2, static_cast<double>(steps_));
    for (std::size_t d = 0; d < logits_.size(); ++d) {
      for (std::size_t k = 0; k < logits_[d].size(); ++k) {
        const double g = grad[d][k];
        m_[d][k] = adam_beta1 * m_[d][k] + (1.0 - adam_beta1) * g;
        v_[d][k] = adam_beta2 * v_[d][k] + (1.0 - adam_beta2) * g * g;
        const double m_hat = m_[d][k] / correction1;
        const double v_hat = v_[d][k] / correction2;
        logits_[d][k] -= options_.learning_rate() * m_hat / (std::sqrt(v_hat) + adam_epsilon);
      }
    }
  }

  Space space_;
  ReinforceOptions options_;
  Table logits_;
  Table m_;  ///< Adam's first moment of each logit.
  Table v_;  ///< Adam's second moment of each logit.
  std::uint64_t asked_ = 0;
  std::int64_t steps_ = 0;
  std::optional<double> baseline_;
  std::optional<double> lowest_reward_;  ///< Of any feasible candidate with a finite accuracy told so far.
};

}  // namespace hwnas::search
