#pragma once
/// \file
/// Proxies from gradients of the training loss at initialisation, as
/// NASLib / zero-cost-nas compute them. The network (training mode, so BN
/// uses batch statistics) runs one labelled batch and back-propagates the
/// mean cross-entropy L; the sums run over the weights W of every conv and
/// linear layer (not biases, not BN):
///
/// - `grad_norm` = sum over layers of ||dL/dW||_2;
/// - `snip`      = sum |W * dL/dW| (SNIP's saliency: the gradient of L with
///   respect to a multiplicative mask of ones);
/// - `fisher`    = sum over conv/linear layers and their output channels k of
///   0.5 * mean over samples n of (sum over positions of a * dL/da)^2, with
///   a the layer's output (Theis et al.'s pruning signal as zero-cost-nas
///   computes it: dL/da includes the 1/N of the mean loss);
/// - `grasp`     = sum -W * (H g), g = dL/dW and H the Hessian of L with
///   respect to W (GraSP; Wang et al., ICLR 2020). H g is taken by central
///   differences of dL/dW along g, (g(W + h g) - g(W - h g)) / 2h with
///   h = 1e-6 * ||W|| / ||g||, hence in double precision: the score equals
///   the double-backward one to about 1e-8 relative (the test allows 1e-7),
///   unless a ReLU input lies within the step of zero;
/// - `gradsign` (GradSign; Zhang & Jia, ICLR 2022) = sum over weight
///   components k of |sum over samples i of sign(dl_i/dW_k)|, from each
///   sample's own gradient (a forward pass of that sample alone, so batch
///   norm uses its statistics); a component whose gradient is NaN for some
///   sample is left out. The reference runs one backward pass per sample;
///   `grad_sign` gets every per-sample gradient from one batched pass
///   (nn::PerSampleGradients) and gives the same number
///   (`grad_sign_per_sample_loop` is the reference computation).
///
/// Each function leaves the weights as they were (grasp restores them) and
/// the gradients cleared. The scorer structs make them `NetworkProxy`s.

#include <string_view>

#include "hwnas/estimate/network_proxy.hpp"

namespace hwnas::estimate {

struct WeightGradientScores {
  double grad_norm = 0.0;
  double snip = 0.0;
};

/// grad_norm and snip of `net` from one backward pass.
template <Scalar T>
[[nodiscard]] WeightGradientScores weight_gradient_scores(nn::BasicModule<T>& net, const ProxyBatch& batch);
template <Scalar T>
[[nodiscard]] double fisher(nn::BasicModule<T>& net, const ProxyBatch& batch);
template <Scalar T>
[[nodiscard]] double grasp(nn::BasicModule<T>& net, const ProxyBatch& batch);
/// GradSign from batched per-sample gradients.
template <Scalar T>
[[nodiscard]] double grad_sign(nn::BasicModule<T>& net, const ProxyBatch& batch);
/// The same score computed as the reference does: one pass per sample.
template <Scalar T>
[[nodiscard]] double grad_sign_per_sample_loop(nn::BasicModule<T>& net, const ProxyBatch& batch);

#define HWNAS_GRADIENT_PROXY_EXTERN(T)                                                               \
  extern template WeightGradientScores weight_gradient_scores(nn::BasicModule<T>&, const ProxyBatch&); \
  extern template double fisher(nn::BasicModule<T>&, const ProxyBatch&);                              \
  extern template double grasp(nn::BasicModule<T>&, const ProxyBatch&);                               \
  extern template double grad_sign(nn::BasicModule<T>&, const ProxyBatch&);                           \
  extern template double grad_sign_per_sample_loop(nn::BasicModule<T>&, const ProxyBatch&);
HWNAS_GRADIENT_PROXY_EXTERN(float)
HWNAS_GRADIENT_PROXY_EXTERN(double)
#undef HWNAS_GRADIENT_PROXY_EXTERN

struct GradNorm : ScorerTraits<float, true, 1, 1> {
  static constexpr std::string_view name = "grad_norm";
  double operator()(nn::Module& net, const ProxyBatch& batch) const {
    return weight_gradient_scores(net, batch).grad_norm;
  }
};

struct Snip : ScorerTraits<float, true, 1, 1> {
  static constexpr std::string_view name = "snip";
  double operator()(nn::Module& net, const ProxyBatch& batch) const { return weight_gradient_scores(net, batch).snip; }
};

struct Fisher : ScorerTraits<float, true, 1, 1> {
  static constexpr std::string_view name = "fisher";
  double operator()(nn::Module& net, const ProxyBatch& batch) const { return fisher(net, batch); }
};

struct Grasp : ScorerTraits<double, true, 3, 3> {
  static constexpr std::string_view name = "grasp";
  double operator()(nn::ModuleD& net, const ProxyBatch& batch) const { return grasp(net, batch); }
};

struct GradSign : ScorerTraits<float, true, 1, 1> {
  static constexpr std::string_view name = "gradsign";
  double operator()(nn::Module& net, const ProxyBatch& batch) const { return grad_sign(net, batch); }
};

}  // namespace hwnas::estimate
