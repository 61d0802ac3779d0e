#pragma once
/// \file
/// Umbrella header for training: options, the trainer, its callbacks and metrics.

#include "hwnas/train/bn_recalibration.hpp"
#include "hwnas/train/callbacks.hpp"
#include "hwnas/train/metrics.hpp"
#include "hwnas/train/options.hpp"
#include "hwnas/train/scratch_accuracy.hpp"
#include "hwnas/train/trainer.hpp"
