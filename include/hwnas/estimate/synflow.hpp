#pragma once
/// \file
/// Synflow (Tanaka et al., NeurIPS 2020) as a zero-cost proxy, as NASLib /
/// zero-cost-nas compute it: data-free, in double precision (the products of
/// absolute weights overflow float in deep networks);
///
/// - every parameter replaced by its absolute value;
/// - batch-norm layers bypassed (their input passed on unchanged);
/// - one all-ones input of the network's shape, R = sum of the outputs;
/// - score = sum over the weights W of conv and linear layers of |W * dR/dW|.
///
/// The proxy reports log(score), as NASLib's tables do: -inf when no signal
/// reaches the output (e.g. an nb201 cell of `none` edges only).

#include <string_view>

#include "hwnas/estimate/network_proxy.hpp"

namespace hwnas::estimate {

/// log(synflow) of `net` for inputs of shape `input` [C, H, W]. Replaces the
/// parameters by their absolute values.
template <Scalar T>
[[nodiscard]] double synflow(nn::BasicModule<T>& net, const Shape& input);

extern template double synflow(nn::BasicModule<float>&, const Shape&);
extern template double synflow(nn::BasicModule<double>&, const Shape&);

struct Synflow : ScorerTraits<double, false, 1, 1> {
  static constexpr std::string_view name = "synflow";
  double operator()(nn::ModuleD& net, const Shape& input) const { return synflow(net, input); }
};

}  // namespace hwnas::estimate
