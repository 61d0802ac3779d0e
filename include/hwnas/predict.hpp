#pragma once
/// \file
/// Umbrella header for the predictors trained on architecture encodings.

#include "hwnas/predict/mlp_regressor.hpp"
