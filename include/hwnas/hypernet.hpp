#pragma once
/// \file
/// Umbrella header for the SMASH hypernetwork of `ofa-fmnist`: block codes,
/// the weight generator, the hypernetwork, its training and the estimator
/// that scores architectures with generated weights.

#include "hwnas/hypernet/block_code.hpp"
#include "hwnas/hypernet/generator.hpp"
#include "hwnas/hypernet/smash_accuracy.hpp"
#include "hwnas/hypernet/smash_hypernet.hpp"
#include "hwnas/hypernet/smash_training.hpp"
