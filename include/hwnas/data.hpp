#pragma once
/// \file
/// Umbrella header for datasets.

#include "hwnas/data/idx.hpp"
