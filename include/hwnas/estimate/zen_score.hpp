#pragma once
/// \file
/// Zen-score (Zen-NAS; Lin et al., ICCV 2021), as the official code computes
/// it (../shared/spec/estimators.md). Data-free: for each of R repeats,
///
/// - conv and linear weights are drawn from N(0, 1), biases set to 0, BN
///   scale 1 and shift 0; residual shortcuts are switched off;
/// - x and eps are drawn from N(0, 1) with the network's input shape;
/// - with BN in training mode, f(x) and f(x + gamma * eps) are the feature
///   maps before global pooling, and
///   Delta = mean over the batch of sum over (c, h, w) of |f(x) - f(x + gamma eps)|;
/// - score_r = log(Delta) + sum over BN layers of log(sqrt(mean(running_var))).
///
/// The score is the mean of score_r. As in the official code the BN running
/// statistics are not reset between repeats, so they carry over;
/// `batch_variance(true)` instead resets them before each repeat and lets
/// each pass replace them (momentum 1), so the BN term uses the batch
/// variance of the perturbed pass alone.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "hwnas/core/arg.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/core/tensor.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::estimate {

class ZenScoreOptions {
  /// Images per pass (official: 16 standalone, 64 inside its search).
  HWNAS_ARG(std::int64_t, batch, 16)
  /// Repeats averaged (official: 32 standalone, 1 inside its search).
  HWNAS_ARG(std::int64_t, repeats, 32)
  HWNAS_ARG(double, mixup_gamma, 0.01)
  HWNAS_ARG(bool, batch_variance, false)
  /// Seeds the weights and inputs; every architecture sees the same draws.
  HWNAS_ARG(std::uint64_t, seed, 0)
};

/// Zen's initialisation of `net`: conv and linear weights N(0, 1), their
/// biases 0, BN scale 1 and shift 0.
void zen_init(nn::Module& net, Rng& rng);

/// One repeat on `net` as it is (weights already drawn, shortcuts already
/// off): log(Delta) plus the BN term. `x` and `eps` are [batch, C, H, W].
/// `net` must be a Sequential with a layer named "pool" (its global pooling).
[[nodiscard]] double zen_score_pass(nn::Sequential& net, const Tensor& x, const Tensor& eps,
                                    const ZenScoreOptions& options);

/// The whole estimate for a network of input shape [C, H, W]; the network
/// is modified (weights, statistics, shortcuts).
[[nodiscard]] Estimate zen_score(nn::Module& net, const Shape& input, const ZenScoreOptions& options);

/// Zen-score as an `AccuracyEstimator` of `Space`.
template <space::DescribedSpace Space>
class ZenScore {
 public:
  explicit ZenScore(Space space, ZenScoreOptions options = {}) : space_(std::move(space)), options_(options) {}

  [[nodiscard]] std::string_view name() const { return "zen"; }
  /// Each estimate builds its own network: concurrent calls are safe.
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] Estimate estimate(const typename Space::Arch& arch) {
    auto net = space_.build(arch);
    return zen_score(*net, space_.summary(arch).front().input, options_);
  }

 private:
  Space space_;
  ZenScoreOptions options_;
};

}  // namespace hwnas::estimate
