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
///   loss with respect to a multiplicative mask of ones, SNIP's saliency).

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

/// `grad_norm` or `snip` as an `AccuracyEstimator` of `Space`: each
/// architecture's network gets the default initialisation from `seed`.
template <space::DescribedSpace Space>
class GradientProxy {
 public:
  enum class Kind { grad_norm, snip };

  GradientProxy(Space space, Kind kind, std::shared_ptr<const ProxyBatch> batch, std::uint64_t seed = 0)
      : space_(std::move(space)), kind_(kind), batch_(std::move(batch)), seed_(seed) {
    HWNAS_CHECK_CONFIG(batch_ != nullptr && !batch_->labels.empty(), "{}: needs a batch of labelled images",
                       name());
  }

  [[nodiscard]] std::string_view name() const { return kind_ == Kind::grad_norm ? "grad_norm" : "snip"; }

  [[nodiscard]] Estimate estimate(const typename Space::Arch& arch) {
    const auto start = std::chrono::steady_clock::now();
    const Shape input = space_.summary(arch).front().input;
    const Shape& images = batch_->images.shape();
    HWNAS_CHECK_CONFIG(images.rank() == 4 && images[1] == input[0] && images[2] == input[1] && images[3] == input[2],
                       "{}: the architecture takes {} images, the data has {}", name(), input, images);
    auto net = space_.build(arch);
    Rng rng(seed_);
    nn::init::default_init(*net, rng);
    const WeightGradientScores scores = weight_gradient_scores(*net, *batch_);
    Estimate e;
    e.value = kind_ == Kind::grad_norm ? scores.grad_norm : scores.snip;
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
