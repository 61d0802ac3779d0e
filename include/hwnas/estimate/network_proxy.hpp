#pragma once
/// \file
/// `NetworkProxy<Space, Scorer>`: a zero-cost proxy as an `AccuracyEstimator`.
/// For each architecture it builds the network in the precision the scorer
/// asks for, gives it the default initialisation from a fixed seed (so every
/// architecture is scored at the same kind of starting point, as NASLib
/// does), and hands it to the scorer with the proxy batch:
///
///     auto batch = std::make_shared<const ProxyBatch>(proxy_batch(train, 64, seed));
///     NetworkProxy<space::OfaFmnistSpace, Snip> snip(space, Snip{}, batch);
///     Estimate e = snip.estimate(arch);
///
/// A scorer is a small function object (see gradient_proxies.hpp,
/// synflow.hpp, activation_proxies.hpp):
///
///     struct Snip : ScorerTraits<float, /*needs_data=*/true, /*forward=*/1, /*backward=*/1> {
///       static constexpr std::string_view name = "snip";
///       double operator()(nn::Module& net, const ProxyBatch& batch) const;
///     };
///
/// A data-free scorer (synflow) does not need data and is called with the
/// network's input shape [C, H, W] instead of a batch.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "hwnas/core/random.hpp"
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

/// What a scorer declares besides its name: the precision of the network it
/// scores, whether it needs a batch of data, and the passes one score takes.
template <Scalar T, bool NeedsData, std::int64_t Forward, std::int64_t Backward>
struct ScorerTraits {
  using Scalar = T;
  static constexpr bool needs_data = NeedsData;
  static constexpr EstimateCost passes{.forward_passes = Forward, .backward_passes = Backward};
};

template <class S>
concept NetworkScorer =
    Scalar<typename S::Scalar> &&
    requires(const S& scorer, nn::BasicModule<typename S::Scalar>& net, const ProxyBatch& batch, const Shape& input) {
      { S::name } -> std::convertible_to<std::string_view>;
      { S::passes } -> std::convertible_to<EstimateCost>;
      requires(S::needs_data ? requires { { scorer(net, batch) } -> std::convertible_to<double>; }
                             : requires { { scorer(net, input) } -> std::convertible_to<double>; });
    };

template <space::DescribedSpace Space, NetworkScorer Scorer>
class NetworkProxy {
 public:
  /// ConfigError when the scorer needs data and `batch` is null or empty;
  /// data-free scorers ignore it.
  NetworkProxy(Space space, Scorer scorer, std::shared_ptr<const ProxyBatch> batch, std::uint64_t seed = 0)
      : space_(std::move(space)), scorer_(std::move(scorer)), batch_(std::move(batch)), seed_(seed) {
    HWNAS_CHECK_CONFIG(!Scorer::needs_data || (batch_ != nullptr && !batch_->labels.empty() &&
                                               batch_->images.dim() == 4 &&
                                               batch_->images.size(0) == std::ssize(batch_->labels)),
                       "{}: needs a non-empty batch of labelled images", name());
  }

  [[nodiscard]] std::string_view name() const { return Scorer::name; }
  /// Each estimate builds its own network: concurrent calls are safe.
  [[nodiscard]] bool thread_safe() const { return true; }

  /// ConfigError when the architecture takes images of another shape than the batch's.
  [[nodiscard]] Estimate estimate(const typename Space::Arch& arch) {
    const auto start = std::chrono::steady_clock::now();
    const Shape input = space_.summary(arch).front().input;
    auto net = space_.template build<typename Scorer::Scalar>(arch);
    Rng rng(seed_);
    nn::init::default_init(*net, rng);
    Estimate e;
    e.cost = Scorer::passes;
    if constexpr (Scorer::needs_data) {
      const Shape& images = batch_->images.shape();
      HWNAS_CHECK_CONFIG(images[1] == input[0] && images[2] == input[1] && images[3] == input[2],
                         "{}: the architecture takes {} images, the data has {}", name(), input, images);
      e.value = scorer_(*net, *batch_);
      e.cost.images = std::ssize(batch_->labels);
    } else {
      e.value = scorer_(*net, input);
    }
    e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return e;
  }

 private:
  Space space_;
  Scorer scorer_;
  std::shared_ptr<const ProxyBatch> batch_;
  std::uint64_t seed_;
};

}  // namespace hwnas::estimate
