#pragma once
/// \file
/// Umbrella header for the layers: modules, init, state save/load.

#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/dropout.hpp"
#include "hwnas/nn/elastic_batch_norm.hpp"
#include "hwnas/nn/elastic_kernel.hpp"
#include "hwnas/nn/flatten.hpp"
#include "hwnas/nn/forward_hook.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/mbconv.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/pool.hpp"
#include "hwnas/nn/residual_block.hpp"
#include "hwnas/nn/resize.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/nn/shortcut.hpp"
#include "hwnas/nn/squeeze_excite.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/nn/stateless.hpp"
