#pragma once
/// \file
/// Umbrella header for the search spaces.

#include "hwnas/space/any_space.hpp"
#include "hwnas/space/concepts.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/space/proxyless.hpp"
