#pragma once
/// \file
/// Umbrella header for Once-for-All supernet training: the progressive-shrinking
/// recipe and loop.

#include "hwnas/supernet/progressive_shrinking.hpp"
#include "hwnas/supernet/recipe.hpp"
