#pragma once
/// \file
/// Umbrella header for the network builders and the built-in networks.

#include "hwnas/models/builtin.hpp"
#include "hwnas/models/layers.hpp"
#include "hwnas/models/mobilenet.hpp"
#include "hwnas/models/resnet.hpp"
#include "hwnas/models/summary.hpp"
