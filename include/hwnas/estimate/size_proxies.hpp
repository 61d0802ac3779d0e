#pragma once
/// \file
/// The two data-free baselines every proxy is compared against: the
/// parameter count and the MACs of the architecture (larger is taken to mean
/// more accurate). They answer from the space's layer summary without
/// building the network.

#include <chrono>
#include <string_view>

#include "hwnas/estimate/concepts.hpp"

namespace hwnas::estimate {

/// Estimates by `space.params(arch)` ("params") or `space.macs(arch)` ("macs").
template <space::SearchSpace Space>
class SizeProxy {
 public:
  enum class Measure { params, macs };

  SizeProxy(Space space, Measure measure) : space_(std::move(space)), measure_(measure) {}

  [[nodiscard]] std::string_view name() const { return measure_ == Measure::params ? "params" : "macs"; }

  [[nodiscard]] Estimate estimate(const typename Space::Arch& arch) {
    const auto start = std::chrono::steady_clock::now();
    const auto value = static_cast<double>(measure_ == Measure::params ? space_.params(arch) : space_.macs(arch));
    return {value, {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0, 0, 0}};
  }

 private:
  Space space_;
  Measure measure_;
};

}  // namespace hwnas::estimate
