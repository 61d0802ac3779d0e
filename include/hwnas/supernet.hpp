#pragma once
/// \file
/// Umbrella header for the Once-for-All supernet: its elastic blocks, the
/// progressive-shrinking recipe and loop, the estimator that scores subnets
/// with inherited weights, and the accuracy predictor.

#include "hwnas/supernet/accuracy_predictor.hpp"
#include "hwnas/supernet/elastic_mbconv.hpp"
#include "hwnas/supernet/ofa_supernet.hpp"
#include "hwnas/supernet/progressive_shrinking.hpp"
#include "hwnas/supernet/recipe.hpp"
#include "hwnas/supernet/supernet_accuracy.hpp"
