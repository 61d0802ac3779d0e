#pragma once
/// \file
/// Umbrella header for datasets.

#include "hwnas/data/idx.hpp"
#include "hwnas/data/cifar10.hpp"
#include "hwnas/data/datasets.hpp"
#include "hwnas/data/loader.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/data/transforms.hpp"
