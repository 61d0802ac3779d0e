#pragma once
/// \file
/// Umbrella header for Once-for-All supernet training: the progressive-shrinking
/// recipe and loop, and the estimator that scores subnets with inherited weights.

#include "hwnas/supernet/accuracy_predictor.hpp"
#include "hwnas/supernet/progressive_shrinking.hpp"
#include "hwnas/supernet/recipe.hpp"
#include "hwnas/supernet/supernet_accuracy.hpp"
