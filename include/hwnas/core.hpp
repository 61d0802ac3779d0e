#pragma once
/// \file
/// Umbrella header for the core: tensors, autograd, ops, threads, files.

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/batch_norm.hpp"
#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/ops/dropout.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/ops/pool.hpp"
#include "hwnas/core/ops/reduce.hpp"
#include "hwnas/core/ops/reshape.hpp"
#include "hwnas/core/ops/resize.hpp"
#include "hwnas/core/ops/tap.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/core/shape.hpp"
#include "hwnas/core/tensor.hpp"
#include "hwnas/core/timing.hpp"
