#pragma once
/// \file
/// Proxies from how a network at initialisation (training mode, so BN uses
/// batch statistics) maps a batch of N images, labels unused, as NASLib /
/// zero-cost-nas compute them:
///
/// - `naswot` (Mellor et al., ICML 2021): each ReLU and ReLU6 layer codes
///   image i by which of its inputs are positive, c_i in {0,1}^D; the kernel
///   K[i][j] sums, over those layers, the units on which images i and j
///   agree (D minus their Hamming distance); score = log|det K|, -inf when
///   K is singular (e.g. two identical images). Layers of other activations
///   (hard swish) do not take part, as in NASLib;
/// - `jacov` (Mellor et al., 2020): J = d(sum of outputs)/d(input), one row
///   per image; score = -sum over the eigenvalues v of the rows' correlation
///   matrix of log(v + 1e-5) + 1 / (v + 1e-5). NaN when a row of J is
///   constant (its correlation is undefined), as NASLib reports it.

#include <string_view>

#include "hwnas/estimate/network_proxy.hpp"

namespace hwnas::estimate {

template <Scalar T>
[[nodiscard]] double naswot(nn::BasicModule<T>& net, const ProxyBatch& batch);
template <Scalar T>
[[nodiscard]] double jacov(nn::BasicModule<T>& net, const ProxyBatch& batch);

extern template double naswot(nn::BasicModule<float>&, const ProxyBatch&);
extern template double naswot(nn::BasicModule<double>&, const ProxyBatch&);
extern template double jacov(nn::BasicModule<float>&, const ProxyBatch&);
extern template double jacov(nn::BasicModule<double>&, const ProxyBatch&);

struct Naswot : ScorerTraits<float, true, 1, 0> {
  static constexpr std::string_view name = "naswot";
  double operator()(nn::Module& net, const ProxyBatch& batch) const { return naswot(net, batch); }
};

struct Jacov : ScorerTraits<float, true, 1, 1> {
  static constexpr std::string_view name = "jacov";
  double operator()(nn::Module& net, const ProxyBatch& batch) const { return jacov(net, batch); }
};

}  // namespace hwnas::estimate
