#pragma once
/// \file
/// Umbrella header for the accuracy estimators and their evaluation.

#include "hwnas/estimate/activation_proxies.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/estimate/correlation.hpp"
#include "hwnas/estimate/gradient_proxies.hpp"
#include "hwnas/estimate/network_proxy.hpp"
#include "hwnas/estimate/size_proxies.hpp"
#include "hwnas/estimate/synflow.hpp"
#include "hwnas/estimate/zen_score.hpp"
