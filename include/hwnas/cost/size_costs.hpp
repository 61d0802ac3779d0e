#pragma once
/// \file
/// The device-independent costs: MACs and parameter count, from the space's
/// layer summary without building the network. They are the baselines that
/// measured latency shows to be not enough ("MACs != real hardware
/// efficiency", docs/latency.md).

#include <string_view>

#include "hwnas/cost/concepts.hpp"

namespace hwnas::cost {

template <space::SearchSpace Space>
class SizeCost {
 public:
  enum class Measure { macs, params };

  SizeCost(Space space, Measure measure) : space_(std::move(space)), measure_(measure) {}

  [[nodiscard]] std::string_view name() const { return measure_ == Measure::macs ? "macs" : "params"; }
  /// Concurrent calls are safe: the Searcher may evaluate candidates on the thread pool.
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] Cost cost(const typename Space::Arch& arch) const {
    if (measure_ == Measure::macs) return {static_cast<double>(space_.macs(arch)), "MACs", ""};
    return {static_cast<double>(space_.params(arch)), "params", ""};
  }

 private:
  Space space_;
  Measure measure_;
};

}  // namespace hwnas::cost
