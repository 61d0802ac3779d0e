#pragma once
/// \file
/// Umbrella header for search: the Searcher facade, its callbacks, the
/// strategies and the Pareto utilities.

#include "hwnas/search/aging_evolution.hpp"
#include "hwnas/search/any_strategy.hpp"
#include "hwnas/search/callbacks.hpp"
#include "hwnas/search/candidate.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evolution.hpp"
#include "hwnas/search/nsga2.hpp"
#include "hwnas/search/pareto.hpp"
#include "hwnas/search/random_search.hpp"
#include "hwnas/search/reinforce.hpp"
#include "hwnas/search/searcher.hpp"
