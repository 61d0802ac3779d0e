#pragma once
/// \file
/// `AnyStrategy`: any search strategy over `space::AnySpace` behind one
/// type, and the built-in strategies by name, for the command-line tool and
/// JSON configurations:
///
///     AnyStrategy evolution = make_strategy({{"name", "evolution"}, {"population", 50}}, space, seed);
///     Searcher searcher(space, estimator, cost, evolution,
///                       SearchOptions().batch(evolution.preferred_batch()));

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/search/concepts.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::search {

class AnyStrategy {
 public:
  using Arch = space::AnyArch;

  /// `preferred_batch`: candidates per round that suit the strategy (a
  /// generation for population-based ones).
  template <class S>
    requires(SearchStrategy<S, space::AnySpace> && !std::same_as<S, AnyStrategy>)
  AnyStrategy(S strategy, std::int64_t preferred_batch)
      : self_(std::make_shared<Model<S>>(std::move(strategy))), preferred_batch_(preferred_batch) {}

  [[nodiscard]] std::string_view name() const { return self_->name(); }
  [[nodiscard]] std::int64_t preferred_batch() const { return preferred_batch_; }
  [[nodiscard]] std::vector<Arch> ask(std::int64_t n) { return self_->ask(n); }
  void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) {
    self_->tell(archs, evaluations);
  }
  [[nodiscard]] nlohmann::json state() const { return self_->state(); }
  void restore(const nlohmann::json& state) { self_->restore(state); }

 private:
  struct Base {
    virtual ~Base() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    [[nodiscard]] virtual std::vector<Arch> ask(std::int64_t n) = 0;
    virtual void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) = 0;
    [[nodiscard]] virtual nlohmann::json state() const = 0;
    virtual void restore(const nlohmann::json& state) = 0;
  };
  template <class S>
  struct Model final : Base {
    explicit Model(S s) : strategy(std::move(s)) {}
    std::string_view name() const override { return strategy.name(); }
    std::vector<Arch> ask(std::int64_t n) override { return strategy.ask(n); }
    void tell(const std::vector<Arch>& archs, const std::vector<Evaluation>& evaluations) override {
      strategy.tell(archs, evaluations);
    }
    nlohmann::json state() const override { return strategy.state(); }
    void restore(const nlohmann::json& state) override { strategy.restore(state); }
    S strategy;
  };

  // Shared, not copied: a copy of a running strategy would fork its state.
  std::shared_ptr<Base> self_;
  std::int64_t preferred_batch_;
};

/// The strategies `make_strategy` knows: "random", "evolution",
/// "aging-evolution", "nsga2", "rl", "morphism" (ofa-fmnist only).
[[nodiscard]] std::vector<std::string> strategy_names();

/// The strategy `config["name"]` over `space`, its other fields the
/// strategy's options (see each strategy's header), seeded by `seed`.
/// ConfigError naming the field for an unknown name, an unknown or
/// mistyped field, or a value out of range.
[[nodiscard]] AnyStrategy make_strategy(const nlohmann::json& config, const space::AnySpace& space,
                                        std::uint64_t seed);

}  // namespace hwnas::search
