#pragma once
/// \file
/// Umbrella header for training: options, the trainer, its callbacks and metrics.

#include "hwnas/train/callbacks.hpp"
#include "hwnas/train/metrics.hpp"
#include "hwnas/train/options.hpp"
#include "hwnas/train/trainer.hpp"
