#include "hwnas/estimate/zen_score.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/shortcut.hpp"

namespace hwnas::estimate {
namespace {

std::vector<nn::BatchNorm2d*> batch_norms(nn::Module& net) {
  std::vector<nn::BatchNorm2d*> out;
  for (const auto& m : net.named_modules())
    if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(m.module.get())) out.push_back(bn);
  return out;
}

/// Writes `n` N(0, 1) draws from `rng` to `out`: Box-Muller on blocks of
/// pairs, so the logarithms, square roots and sines vectorise, in fixed-size
/// arrays on the stack, so no draw allocates.
void gaussian_run(float* out, std::int64_t n, Rng& rng) {
  constexpr Eigen::Index block = 256;
  using Block = Eigen::Array<float, block, 1>;
  // One 64-bit draw gives both uniforms of a pair, 24 bits each (a float's precision).
  constexpr float scale = 1.0F / 16777216.0F;
  Block u1;
  Block u2;
  Block radius;
  Block angle;
  for (std::int64_t start = 0; start < n; start += 2 * block) {
    const auto pairs = static_cast<Eigen::Index>(std::min<std::int64_t>(block, (n - start + 1) / 2));
    for (Eigen::Index i = 0; i < block; ++i) {
      const std::uint64_t bits = i < pairs ? rng() : 0;
      u1[i] = static_cast<float>((bits >> 40) + 1) * scale;  // (0, 1]: the logarithm stays finite
      u2[i] = static_cast<float>((bits >> 16) & 0xFFFFFF) * scale;
    }
    // Whole blocks always, so every value takes the same (vectorised) path.
    radius = (-2.0F * u1.log()).sqrt();
    angle = u2 * static_cast<float>(2.0 * std::numbers::pi);
    u1 = radius * angle.cos();
    u2 = radius * angle.sin();
    for (Eigen::Index i = 0; i < pairs; ++i) {
      out[start + 2 * i] = u1[i];
      if (start + 2 * i + 1 < n) out[start + 2 * i + 1] = u2[i];
    }
  }
}

/// Fills `t` with N(0, 1) draws. Zen-score draws every weight of the network
/// each repeat, which makes this its hottest loop: runs of a fixed length
/// each take their own generator, seeded from `rng`, and spread over the
/// threads, so the values do not depend on the thread count.
void fill_gaussian(Tensor& t, Rng& rng) {
  constexpr std::int64_t run = 16384;
  const std::uint64_t seed = rng();
  const std::int64_t n = t.numel();
  parallel_for(0, (n + run - 1) / run, 1, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t k = lo; k < hi; ++k) {
      Rng stream(derive_seed(seed, static_cast<std::uint64_t>(k)));
      gaussian_run(t.data() + k * run, std::min(run, n - k * run), stream);
    }
  });
}

Tensor gaussian(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  fill_gaussian(t, rng);
  return t;
}

}  // namespace

void zen_init(nn::Module& net, Rng& rng) {
  for (auto& p : net.named_parameters()) {
    if (p.kind == nn::ParameterKind::weight)
      fill_gaussian(p.variable.value(), rng);
    else if (p.kind == nn::ParameterKind::bias)
      nn::init::zeros(p.variable.value());
  }
  for (auto* bn : batch_norms(net)) {
    if (!bn->spec().affine()) continue;
    nn::init::ones(bn->weight().value());
    nn::init::zeros(bn->bias().value());
  }
}

double zen_score_pass(nn::Sequential& net, const Tensor& x, const Tensor& eps, const ZenScoreOptions& options) {
  HWNAS_CHECK_SHAPE(x.shape() == eps.shape() && x.dim() == 4, "zen_score: x {} and eps {} must be equal NCHW shapes",
                    x.shape(), eps.shape());
  NoGradGuard no_grad;
  net.train();
  const auto bns = batch_norms(net);
  std::vector<double> momenta;
  if (options.batch_variance()) {
    for (auto* bn : bns) {
      momenta.push_back(bn->spec().momentum());
      bn->reset_running_stats();
      bn->set_momentum(1.0);
    }
  }
  Tensor mixed = x;
  mixed.array() += static_cast<float>(options.mixup_gamma()) * eps.array();
  const Tensor a = net.forward_until(Variable(x), "pool").value();
  const Tensor b = net.forward_until(Variable(mixed), "pool").value();
  for (std::size_t i = 0; i < momenta.size(); ++i) bns[i]->set_momentum(momenta[i]);

  double total = 0.0;
  for (std::int64_t i = 0; i < a.numel(); ++i) total += std::abs(static_cast<double>(a[i]) - b[i]);
  double score = std::log(total / static_cast<double>(x.size(0)));
  for (const auto* bn : bns) {
    double mean_var = 0.0;
    for (std::int64_t c = 0; c < bn->running_var().numel(); ++c) mean_var += bn->running_var()[c];
    score += std::log(std::sqrt(mean_var / static_cast<double>(bn->running_var().numel())));
  }
  return score;
}

Estimate zen_score(nn::Module& net, const Shape& input, const ZenScoreOptions& options) {
  HWNAS_CHECK_CONFIG(options.batch() >= 1 && options.repeats() >= 1,
                     "zen_score: batch and repeats must be >= 1, got {} and {}", options.batch(), options.repeats());
  auto* sequential = dynamic_cast<nn::Sequential*>(&net);
  HWNAS_CHECK_CONFIG(sequential != nullptr, "zen_score: needs a Sequential network with a 'pool' layer, got {}",
                     net.type_name());
  const auto start = std::chrono::steady_clock::now();
  nn::set_shortcuts(net, false);
  Rng rng(options.seed());
  const Shape shape{options.batch(), input[0], input[1], input[2]};
  double sum = 0.0;
  for (std::int64_t r = 0; r < options.repeats(); ++r) {
    zen_init(net, rng);
    const Tensor x = gaussian(shape, rng);
    const Tensor eps = gaussian(shape, rng);
    sum += zen_score_pass(*sequential, x, eps, options);
  }
  Estimate e;
  e.value = sum / static_cast<double>(options.repeats());
  e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  e.cost.forward_passes = 2 * options.repeats();
  return e;
}

}  // namespace hwnas::estimate
