#pragma once
/// \file
/// The two data-free baselines every proxy is compared against: the
/// parameter count and the MACs of the architecture (larger is taken to mean
/// more accurate). They answer from the space's layer summary without
/// building the network.

#include <chrono>
#include <string_view>

#include "hwnas/cost/size_costs.hpp"
#include "hwnas/estimate/concepts.hpp"

namespace hwnas::estimate {

/// Estimates by the parameter count ("params") or the MACs ("macs") of the architecture.
template <space::SearchSpace Space>
class SizeProxy {
 public:
  using Measure = typename cost::SizeCost<Space>::Measure;

  SizeProxy(Space space, Measure measure) : size_(std::move(space), measure) {}

  [[nodiscard]] std::string_view name() const { return size_.name(); }
  /// Concurrent calls are safe: the Searcher may evaluate candidates on the thread pool.
  [[nodiscard]] bool thread_safe() const { return true; }

  [[nodiscard]] Estimate estimate(const typename Space::Arch& arch) {
    const auto start = std::chrono::steady_clock::now();
    const double value = size_.cost(arch).value;
    return {value, {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0, 0, 0}};
  }

 private:
  cost::SizeCost<Space> size_;
};

}  // namespace hwnas::estimate
