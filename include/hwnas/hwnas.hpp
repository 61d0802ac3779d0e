#pragma once
/// \file
/// The one header users include: everything hwnas offers.

#include "hwnas/core.hpp"
#include "hwnas/cost.hpp"
#include "hwnas/data.hpp"
#include "hwnas/estimate.hpp"
#include "hwnas/hypernet.hpp"
#include "hwnas/inherit.hpp"
#include "hwnas/models.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/optim.hpp"
#include "hwnas/predict.hpp"
#include "hwnas/search.hpp"
#include "hwnas/supernet.hpp"
#include "hwnas/space.hpp"
#include "hwnas/train.hpp"
#include "hwnas/version.hpp"
