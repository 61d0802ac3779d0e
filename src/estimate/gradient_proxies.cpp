#include "hwnas/estimate/gradient_proxies.hpp"

#include <cmath>

#include "hwnas/core/ops/loss.hpp"
#include "hwnas/data/split.hpp"

namespace hwnas::estimate {

ProxyBatch proxy_batch(const data::LabelledImages& data, std::int64_t count, std::uint64_t seed) {
  const auto available = static_cast<std::int64_t>(data.labels.size());
  HWNAS_CHECK_CONFIG(count >= 1 && count <= available, "proxy batch: needs 1 to {} images, asked for {}", available,
                     count);
  Rng rng(seed);
  auto order = data::random_permutation(available, rng);
  order.resize(static_cast<std::size_t>(count));
  data::LabelledImages chosen = data::subset(data, order);
  return {std::move(chosen.images), std::move(chosen.labels)};
}

WeightGradientScores weight_gradient_scores(nn::Module& net, const ProxyBatch& batch) {
  net.train();
  net.zero_grad();
  Variable loss = cross_entropy(net(Variable(batch.images)), batch.labels);
  loss.backward();
  WeightGradientScores scores;
  for (const auto& p : net.named_parameters()) {
    if (p.kind != nn::ParameterKind::weight || !p.variable.has_grad()) continue;
    const Tensor& w = p.variable.value();
    const Tensor& g = p.variable.grad();
    double squares = 0.0;
    double saliency = 0.0;
    for (std::int64_t i = 0; i < w.numel(); ++i) {
      squares += static_cast<double>(g[i]) * g[i];
      saliency += std::abs(static_cast<double>(w[i]) * g[i]);
    }
    scores.grad_norm += std::sqrt(squares);
    scores.snip += saliency;
  }
  net.zero_grad();
  return scores;
}

}  // namespace hwnas::estimate
