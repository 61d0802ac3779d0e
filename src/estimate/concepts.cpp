#include "hwnas/estimate/concepts.hpp"

#include <nlohmann/json.hpp>

namespace hwnas::estimate {

void to_json(nlohmann::json& j, const EstimateCost& cost) {
  j = {{"seconds", cost.seconds},
       {"forward_passes", cost.forward_passes},
       {"backward_passes", cost.backward_passes},
       {"images", cost.images}};
}

void to_json(nlohmann::json& j, const Estimate& estimate) {
  j = {{"value", estimate.value}, {"cost", estimate.cost}};
}

}  // namespace hwnas::estimate
