#pragma once
/// \file
/// Umbrella header for the search strategies.

#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evolution.hpp"
#include "hwnas/search/random_search.hpp"
