#pragma once
/// \file
/// `MorphismHillClimbing`: the hill climbing of NASH (Elsken et al. 2017,
/// "Simple and efficient architecture search for CNNs") in ask/tell form,
/// over `ofa-fmnist`:
///
/// - the first candidate asked is the start architecture (an option; by
///   default the space's smallest at resolution 28);
/// - every other candidate (the rest of the first round included) is a
///   child of the current best, made by 1 to
///   `max_morphisms` (uniformly) random morphisms (`random_morphism`), so
///   that an estimator inheriting weights (`Net2NetAccuracy`) finds the
///   current best as a near ancestor;
/// - `tell` keeps as current best the most accurate feasible candidate among
///   the current one and the told ones (ties keep the current one; NaN
///   ranks last). Until a feasible candidate is told the start is the
///   current one.
///
/// A child of the largest architecture, to which no morphism applies, is
/// the architecture itself. Candidate i is drawn from its own generator
/// seeded by (seed, i), so a restored strategy asks the same candidates.
///
///     MorphismHillClimbing<space::OfaFmnistSpace> climbing(space, MorphismHillClimbingOptions{}.seed(3));
///     search::Searcher searcher(space, net2net, macs, climbing, search::SearchOptions{}.batch(8));
///
/// The strategy serves `space::OfaFmnistSpace` and `space::AnySpace` holding
/// ofa-fmnist (ConfigError for another space or its architectures).

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/inherit/morphism.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evaluated.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace hwnas::inherit {

class MorphismHillClimbingOptions {
  /// The first candidate; empty: the space's smallest architecture at resolution 28.
  HWNAS_ARG(std::optional<space::OfaFmnistArch>, start, std::nullopt)
  /// Each child is 1 to this many random morphisms from the current best.
  HWNAS_ARG(std::int64_t, max_morphisms, 5)
  HWNAS_ARG(std::uint64_t, seed, 0)
};

namespace detail {

/// How the strategy sees a space's architectures as `ofa-fmnist` ones.
template <class Space>
struct OfaFmnistView;

template <>
struct OfaFmnistView<space::OfaFmnistSpace> {
  static void check(const space::OfaFmnistSpace& /*space*/) {}
  static const space::OfaFmnistArch& unwrap(const space::OfaFmnistArch& arch) { return arch; }
  static space::OfaFmnistArch wrap(const space::OfaFmnistArch& arch) { return arch; }
};

template <>
struct OfaFmnistView<space::AnySpace> {
  static void check(const space::AnySpace& space) {
    HWNAS_CHECK_CONFIG(space.name() == space::OfaFmnistSpace{}.name(),
                       "morphism hill climbing: works on ofa-fmnist architectures only, not on '{}'", space.name());
  }
  static const space::OfaFmnistArch& unwrap(const space::AnyArch& arch) {
    return arch.get<space::OfaFmnistArch>("morphism hill climbing (ofa-fmnist only)");
  }
  static space::AnyArch wrap(const space::OfaFmnistArch& arch) { return space::AnyArch(arch); }
};

}  // namespace detail

template <class Space>
class MorphismHillClimbing {
  static_assert(std::same_as<Space, space::OfaFmnistSpace> || std::same_as<Space, space::AnySpace>,
                "MorphismHillClimbing<Space>: morphisms are defined on ofa-fmnist; Space must be "
                "space::OfaFmnistSpace or space::AnySpace");
  using View = detail::OfaFmnistView<Space>;

 public:
  using Arch = typename Space::Arch;

  /// ConfigError for another space, fewer than 1 morphism per child, or a
  /// start outside the space.
  MorphismHillClimbing(Space space, MorphismHillClimbingOptions options = {})
      : space_(std::move(space)), options_(std::move(options)) {
    View::check(space_);
    HWNAS_CHECK_CONFIG(options_.max_morphisms() >= 1, "morphism hill climbing: max_morphisms must be >= 1, got {}",
                       options_.max_morphisms());
    const space::OfaFmnistSpace ofa;
    // A round trip through JSON checks every choice of the start.
    current_ = options_.start() ? ofa.from_json(ofa.to_json(*options_.start())) : morphism_root(28);
  }

  [[nodiscard]] std::string_view name() const { return "morphism"; }
  /// The architecture children are made from.
  [[nodiscard]] const space::OfaFmnistArch& current() const { return current_; }
  /// Its evaluation; empty until a feasible candidate was told.
  [[nodiscard]] const std::optional<search::Evaluation>& current_evaluation() const { return best_; }

  [[nodiscard]] std::vector<Arch> ask(std::int64_t n) {
    HWNAS_CHECK_CONFIG(n >= 0, "morphism hill climbing: cannot ask for {} candidates", n);
    std::vector<Arch> archs;
    for (std::int64_t i = 0; i < n; ++i) {
      if (!started_) {
        started_ = true;
        archs.push_back(View::wrap(current_));
        continue;
      }
      Rng rng(derive_seed(options_.seed(), asked_++));
      archs.push_back(View::wrap(child(rng)));
    }
    return archs;
  }

  void tell(const std::vector<Arch>& archs, const std::vector<search::Evaluation>& evaluations) {
    HWNAS_CHECK_CONFIG(archs.size() == evaluations.size(), "morphism hill climbing: {} candidates but {} evaluations",
                       archs.size(), evaluations.size());
    for (std::size_t i = 0; i < archs.size(); ++i) {
      const search::Evaluation& e = evaluations[i];
      if (!e.feasible) continue;
      if (best_ && search::detail::ranked_accuracy(e) <= search::detail::ranked_accuracy(*best_)) continue;
      current_ = View::unwrap(archs[i]);
      best_ = e;
    }
  }

  [[nodiscard]] nlohmann::json state() const {
    nlohmann::json best = nullptr;
    if (best_) best = {{"accuracy", best_->accuracy}, {"cost", best_->cost}, {"feasible", best_->feasible}};
    return {{"strategy", name()},
            {"seed", options_.seed()},
            {"asked", asked_},
            {"started", started_},
            {"current", space::OfaFmnistSpace{}.to_json(current_)},
            {"best", std::move(best)}};
  }

  /// ConfigError for the state of another strategy or seed.
  void restore(const nlohmann::json& state) {
    search::detail::check_resumable(state, name(), options_.seed());
    asked_ = state.at("asked").get<std::uint64_t>();
    started_ = state.at("started").get<bool>();
    current_ = space::OfaFmnistSpace{}.from_json(state.at("current"));
    best_.reset();
    if (const auto& best = state.at("best"); !best.is_null())
      best_ = search::Evaluation{search::detail::number_or_nan(best.at("accuracy")),
                                 search::detail::number_or_nan(best.at("cost")), best.at("feasible").get<bool>()};
  }

 private:
  [[nodiscard]] space::OfaFmnistArch child(Rng& rng) const {
    space::OfaFmnistArch arch = current_;
    const auto steps =
        1 + static_cast<std::int64_t>(rng.uniform_int(static_cast<std::uint64_t>(options_.max_morphisms())));
    for (std::int64_t s = 0; s < steps && !applicable_morphisms(arch).empty(); ++s)
      arch = apply(arch, random_morphism(arch, rng));
    return arch;
  }

  Space space_;
  MorphismHillClimbingOptions options_;
  space::OfaFmnistArch current_;
  std::optional<search::Evaluation> best_;
  bool started_ = false;
  std::uint64_t asked_ = 0;
};

}  // namespace hwnas::inherit
