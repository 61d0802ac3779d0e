#pragma once
/// \file
/// Random search: every candidate drawn uniformly from the space, the
/// baseline every other strategy must beat. Candidate i comes from its own
/// generator seeded by (seed, i), so the sequence does not depend on how the
/// Searcher batches its asks.

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evaluated.hpp"

namespace hwnas::search {

template <space::SearchSpace Space>
class RandomSearch {
 public:
  explicit RandomSearch(Space space, std::uint64_t seed = 0) : space_(std::move(space)), seed_(seed) {}

  [[nodiscard]] std::string_view name() const { return "random"; }

  [[nodiscard]] std::vector<typename Space::Arch> ask(std::int64_t n) {
    HWNAS_CHECK_CONFIG(n >= 0, "random search: cannot ask for {} candidates", n);
    std::vector<typename Space::Arch> archs;
    for (std::int64_t i = 0; i < n; ++i) {
      Rng rng(derive_seed(seed_, asked_++));
      archs.push_back(space_.sample(rng));
    }
    return archs;
  }

  /// Random search learns nothing from results.
  void tell(const std::vector<typename Space::Arch>& archs, const std::vector<Evaluation>& evaluations) {
    HWNAS_CHECK_CONFIG(archs.size() == evaluations.size(), "random search: {} candidates but {} evaluations",
                       archs.size(), evaluations.size());
  }

  [[nodiscard]] nlohmann::json state() const { return {{"strategy", name()}, {"seed", seed_}, {"asked", asked_}}; }
  /// ConfigError for the state of another strategy or seed.
  void restore(const nlohmann::json& state) {
    detail::check_resumable(state, name(), seed_);
    asked_ = state.at("asked").get<std::uint64_t>();
  }

 private:
  Space space_;
  std::uint64_t seed_;
  std::uint64_t asked_ = 0;
};

}  // namespace hwnas::search
