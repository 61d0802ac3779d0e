#pragma once
/// \file
/// Umbrella header for the optimizers and learning-rate schedules.

#include "hwnas/optim/adam.hpp"
#include "hwnas/optim/optimizer.hpp"
#include "hwnas/optim/schedule.hpp"
#include "hwnas/optim/sgd.hpp"
