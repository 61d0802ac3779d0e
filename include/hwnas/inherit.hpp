#pragma once
/// \file
/// Umbrella header for weight inheritance: Net2Net's function-preserving
/// widening and deepening, network morphisms of ofa-fmnist architectures
/// and their application to trained networks, the estimator that inherits
/// weights from a pool of trained networks, and NASH's hill climbing.

#include "hwnas/inherit/layer_copy.hpp"
#include "hwnas/inherit/morph_network.hpp"
#include "hwnas/inherit/morphism.hpp"
#include "hwnas/inherit/morphism_hill_climbing.hpp"
#include "hwnas/inherit/net2net.hpp"
#include "hwnas/inherit/net2net_accuracy.hpp"
#include "hwnas/inherit/widening.hpp"
