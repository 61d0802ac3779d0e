#pragma once
/// \file
/// Proxies from one gradient of the training loss at initialisation, as
/// NASLib / zero-cost-nas compute them: the network (default initialisation,
/// training mode so BN uses batch statistics) runs one labelled batch, the
/// cross-entropy is back-propagated once, and over the weights W of every
/// conv and linear layer
///
/// - `grad_norm` = sum over layers of ||dL/dW||_2;
/// - `snip`      = sum over layers of sum |W * dL/dW| (the gradient of the
///   loss with respect to a multiplicative mask of ones, SNIP's saliency);
/// - `gradsign`  (GradSign; Zhang & Jia, ICLR 2022) = sum over weight
///   components k of |sum over samples i of sign(dl_i/dW_k)|, from each
///   sample's own gradient (a forward pass of that sample alone, so batch
///   norm uses its statistics); a component whose gradient is NaN for some
///   sample is left out. The reference runs one backward pass per sample;
///   `grad_sign` gets every per-sample gradient from one batched pass
///   (nn::PerSampleGradients) and gives the same number
///   (`grad_sign_per_sample_loop` is the reference computation).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "hwnas/core/tensor.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::estimate {

/// The labelled images data-based proxies score with.
struct ProxyBatch {
  Tensor images;
  std::vector<std::int32_t> labels;
};

/// `count` images of `data` drawn without replacement by `seed`; ConfigError
/// unless 1 <= count <= the images available.
[[nodiscard]] ProxyBatch proxy_batch(const data::LabelledImages& data, std::int64_t count, std::uint64_t seed);

struct WeightGradientScores {
  double grad_norm = 0.0;
  double snip = 0.0;
};

/// Both scores of `net` as it is (its weights are not changed; its gradients are).
[[nodiscard]] WeightGradientScores weight_gradient_scores(nn::Module& net, const ProxyBatch& batch);

/// GradSign of `net` as it is, from batched per-sample gradients (float
/// networks, or double ones for exact comparisons).
template <Scalar T>
[[nodiscard]] double grad_sign(nn::BasicModule<T>& net, const ProxyBatch& batch);
/// The same score computed as the reference does: one pass per sample.
template <Scalar T>
[[nodiscard]] double grad_sign_per_sample_loop(nn::BasicModule<T>& net, const ProxyBatch& batch);

extern template double grad_sign(nn::BasicModule<float>&, const ProxyBatch&);
extern template double grad_sign(nn::BasicModule<double>&, const ProxyBatch&);
extern template double grad_sign_per_sample_loop(nn::BasicModule<float>&, const ProxyBatch&);
extern template double grad_sign_per_sample_loop(nn::BasicModule<double>&, const ProxyBatch&);

/// `grad_norm`, `snip` or `gradsign` as an `AccuracyEstimator` of `Space`: each
/// architecture's network gets the default initialisation from `seed`.
template <space::DescribedSpace Space>
class GradientProxy {
 public:
  enum class Kind { grad_norm, snip, grad_sign };

  GradientProxy(Space space, Kind kind, std::shared_ptr<const ProxyBatch> batch, std::uint64_t seed = 0)
      : space_(std::move(space)), kind_(kind), batch_(std::move(batch)), seed_(seed) {
    HWNAS_CHECK_CONFIG(batch_ != nullptr && !batch_->labels.empty(), "{}: needs a batch of labelled images",
                       name());
  }

  [[nodiscard]] std::string_view name() const {
    switch (kind_) {
      case Kind::grad_norm: return "grad_norm";
      case Kind::snip: return "snip";
      case Kind::grad_sign: return "gradsign";
    }
    return "?";
  }

  [[nodiscard]] Estimate estimate(const typename Space::Arch& arch) {
    const auto start = std::chrono::steady_clock::now();
    const Shape input = space_.summary(arch).front().input;
    const Shape& images = batch_->images.shape();
    HWNAS_CHECK_CONFIG(images.rank() == 4 && images[1] == input[0] && images[2] == input[1] && images[3] == input[2],
                       "{}: the architecture takes {} images, the data has {}", name(), input, images);
    auto net = space_.build(arch);
    Rng rng(seed_);
    nn::init::default_init(*net, rng);
    Estimate e;
    if (kind_ == Kind::grad_sign) {
      e.value = grad_sign(*net, *batch_);
    } else {
      const WeightGradientScores scores = weight_gradient_scores(*net, *batch_);
      e.value = kind_ == Kind::grad_norm ? scores.grad_norm : scores.snip;
    }
    e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    e.cost.forward_passes = 1;
    e.cost.backward_passes = 1;
    e.cost.images = static_cast<std::int64_t>(batch_->labels.size());
    return e;
  }

 private:
  Space space_;
  Kind kind_;
  std::shared_ptr<const ProxyBatch> batch_;
  std::uint64_t seed_;
};

}  // namespace hwnas::estimate
