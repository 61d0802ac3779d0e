#pragma once
/// \file
/// `SearchSpace`: what a search space offers the rest of hwnas (see
/// docs/spaces.md for each space's formats):
///
/// - `Arch`: a regular, hashable value type for one architecture;
/// - `name()`: the space's name, the `"space"` field of its JSON;
/// - `sample(rng)`: an architecture drawn uniformly over every choice;
/// - `mutate(arch, rng, p)`: each choice changed, with probability p, to
///   another of its values drawn uniformly; always a valid architecture;
/// - `crossover(a, b, rng)`: each choice taken from a or b with equal chance;
/// - `encode(arch)`: a fixed-length feature vector (`encoding_size()` long)
///   for predictors;
/// - `to_json(arch)` / `from_json(json)`: the interchange format; a wrong
///   space, a missing field, a wrong length or an out-of-range choice is a
///   ConfigError naming the field and the allowed values;
/// - `canonical(arch)`: a string equal for exactly the architectures that
///   build the same network, for hashing and de-duplication;
/// - `build(arch)`: the network, with zero weights (initialise it with
///   `nn::init::default_init`);
/// - `macs(arch)`, `params(arch)`: conv + linear multiply-accumulates at
///   batch 1, and learnable parameters, without building;
/// - `size()`: how many distinct networks the space holds.
///
/// All randomness comes from the `Rng` passed in, so the same seed gives the
/// same architectures on every machine.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::space {

template <class S>
concept SearchSpace =
    std::regular<typename S::Arch> &&
    requires(const S& space, const typename S::Arch& arch, Rng& rng, double p, const nlohmann::json& json) {
      { std::hash<typename S::Arch>{}(arch) } -> std::convertible_to<std::size_t>;
      { space.name() } -> std::convertible_to<std::string_view>;
      { space.sample(rng) } -> std::same_as<typename S::Arch>;
      { space.mutate(arch, rng, p) } -> std::same_as<typename S::Arch>;
      { space.crossover(arch, arch, rng) } -> std::same_as<typename S::Arch>;
      { space.encode(arch) } -> std::same_as<std::vector<float>>;
      { space.encoding_size() } -> std::convertible_to<std::size_t>;
      { space.to_json(arch) } -> std::same_as<nlohmann::json>;
      { space.from_json(json) } -> std::same_as<typename S::Arch>;
      { space.canonical(arch) } -> std::convertible_to<std::string>;
      { space.build(arch) } -> std::convertible_to<std::shared_ptr<nn::Module>>;
      { space.macs(arch) } -> std::convertible_to<std::int64_t>;
      { space.params(arch) } -> std::convertible_to<std::int64_t>;
      { space.size() } -> std::convertible_to<double>;
    };

/// A space that also describes its layers (`summary(arch)`) and its choices
/// (`choices()`), and builds its networks in double precision too
/// (`build<double>(arch)`), as the three built-in spaces do.
template <class S>
concept DescribedSpace = SearchSpace<S> && requires(const S& space, const typename S::Arch& arch) {
  { space.summary(arch) } -> std::same_as<std::vector<models::LayerSummary>>;
  { space.choices() } -> std::same_as<nlohmann::json>;
  { space.template build<double>(arch) } -> std::convertible_to<std::shared_ptr<nn::ModuleD>>;
};

/// A space whose architectures are also a fixed-length list of categorical
/// decisions, for policies that output each choice (reinforcement-learning
/// controllers):
///
/// - `decisions()`: the number of options of each decision (all >= 1); the
///   same list for every architecture of the space;
/// - `to_decisions(arch)`: the option each decision takes, an index in
///   [0, options) of that decision;
/// - `from_decisions(indices)`: the architecture those options make; a wrong
///   length or an index out of range is a ConfigError naming the decision.
///
/// `from_decisions(to_decisions(arch)) == arch` for every architecture the
/// space samples, and every list of in-range indices is a valid architecture,
/// so a policy never has to repair what it draws.
template <class S>
concept DecisionSpace =
    SearchSpace<S> &&
    requires(const S& space, const typename S::Arch& arch, std::span<const std::int64_t> indices) {
      { space.decisions() } -> std::same_as<std::vector<std::int64_t>>;
      { space.to_decisions(arch) } -> std::same_as<std::vector<std::int64_t>>;
      { space.from_decisions(indices) } -> std::same_as<typename S::Arch>;
    };

}  // namespace hwnas::space
