#pragma once
/// \file
/// Umbrella header for the cost models.

#include "hwnas/cost/any_cost.hpp"
#include "hwnas/cost/concepts.hpp"
#include "hwnas/cost/device.hpp"
#include "hwnas/cost/latency.hpp"
#include "hwnas/cost/latency_table.hpp"
#include "hwnas/cost/mlp_latency.hpp"
#include "hwnas/cost/size_costs.hpp"
