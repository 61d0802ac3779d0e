#pragma once
/// \file
/// What every space does with its choices: draw one uniformly, change one
/// to another value, and read them from architecture JSON with errors that
/// name the field and the allowed values.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"

namespace hwnas::space::detail {

/// A value of `options` drawn uniformly.
template <class T>
[[nodiscard]] T pick(std::span<const T> options, Rng& rng) {
  return options[static_cast<std::size_t>(rng.uniform_int(options.size()))];
}

/// A value of `options` other than `current`, drawn uniformly (`current`
/// itself when it is the only option).
template <class T>
[[nodiscard]] T pick_other(std::span<const T> options, const T& current, Rng& rng) {
  if (options.size() < 2) return current;
  std::vector<T> others;
  for (const T& o : options)
    if (o != current) others.push_back(o);
  return pick<T>(std::span<const T>(others), rng);
}

/// `current`, changed with probability `p` to another of `options`.
template <class T>
[[nodiscard]] T maybe_mutate(std::span<const T> options, const T& current, Rng& rng, double p) {
  return rng.bernoulli(p) ? pick_other(options, current, rng) : current;
}

/// `a` or `b` with equal chance.
template <class T>
[[nodiscard]] T either(const T& a, const T& b, Rng& rng) {
  return rng.bernoulli(0.5) ? a : b;
}

/// FNV-1a over a sequence of integers, for `std::hash` of architectures.
class ChoiceHash {
 public:
  void add(std::int64_t value) { hash_ = (hash_ ^ static_cast<std::size_t>(value)) * 1099511628211ULL; }
  [[nodiscard]] std::size_t value() const { return hash_; }

 private:
  std::size_t hash_ = 1469598103934665603ULL;
};

/// ConfigError unless `json` is an object whose "space" is `space` and whose
/// keys are "space" and `fields`, all present.
void check_arch_object(const nlohmann::json& json, std::string_view space,
                       std::initializer_list<std::string_view> fields);

/// `json[field]`, an integer among `allowed` (ConfigError naming both otherwise).
[[nodiscard]] std::int64_t read_choice(const nlohmann::json& json, std::string_view space, std::string_view field,
                                       std::span<const std::int64_t> allowed);

/// `json[field]`, a list of `count` integers each among `allowed`.
[[nodiscard]] std::vector<std::int64_t> read_choices(const nlohmann::json& json, std::string_view space,
                                                     std::string_view field, std::size_t count,
                                                     std::span<const std::int64_t> allowed);

/// ConfigError unless `indices` holds one index per decision, each in
/// [0, options[i]); `describe(i)` names decision i for the message (e.g. "ks[3]").
void check_decisions(std::span<const std::int64_t> indices, std::string_view space,
                     std::span<const std::int64_t> options, const std::function<std::string(std::size_t)>& describe);

}  // namespace hwnas::space::detail
