#pragma once
/// \file
/// `CostModel<Space>`: anything that says what an architecture of `Space`
/// costs on one target (lower is cheaper), naming the unit and the device
/// the figure holds for, so that the Searcher can take MACs, parameters,
/// measured latency, a latency table or a latency predictor alike:
///
///     Cost c = cost_model.cost(arch);   // c.value, c.unit ("ms", "MACs"), c.device

#include <concepts>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/space/concepts.hpp"

namespace hwnas::cost {

struct Cost {
  double value = 0.0;
  /// "ms", "MACs", "params", ...
  std::string unit;
  /// The fingerprint id of the device the value holds for (see device.hpp);
  /// empty for device-independent counts.
  std::string device;
  friend bool operator==(const Cost&, const Cost&) = default;
};

void to_json(nlohmann::json& j, const Cost& cost);

template <class C, class Space>
concept CostModel = space::SearchSpace<Space> && requires(C& model, const typename Space::Arch& arch) {
  { model.cost(arch) } -> std::same_as<Cost>;
  { model.name() } -> std::convertible_to<std::string_view>;
};

}  // namespace hwnas::cost
