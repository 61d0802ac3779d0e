#include "hwnas/estimate/gradient_proxies.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "hwnas/core/ops/loss.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/per_sample.hpp"

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

namespace {

/// Running sums of gradient signs per weight component, over samples.
class SignTally {
 public:
  /// Adds the signs of `grad` (one sample's gradient of weight `index`).
  template <Scalar T>
  void add(std::size_t index, const T* grad, std::int64_t n) {
    if (index >= sums_.size()) {
      sums_.resize(index + 1);
      nan_.resize(index + 1);
    }
    if (sums_[index].empty()) {
      sums_[index].assign(static_cast<std::size_t>(n), 0);
      nan_[index].assign(static_cast<std::size_t>(n), false);
    }
    for (std::int64_t k = 0; k < n; ++k) {
      const T g = grad[k];
      if (std::isnan(g)) nan_[index][static_cast<std::size_t>(k)] = true;
      sums_[index][static_cast<std::size_t>(k)] += (g > T{0}) - (g < T{0});
    }
  }

  /// Sum over components of |sum of signs|, NaN components left out.
  [[nodiscard]] double score() const {
    double total = 0.0;
    for (std::size_t i = 0; i < sums_.size(); ++i)
      for (std::size_t k = 0; k < sums_[i].size(); ++k)
        if (!nan_[i][k]) total += std::abs(sums_[i][k]);
    return total;
  }

 private:
  std::vector<std::vector<std::int64_t>> sums_;
  std::vector<std::vector<bool>> nan_;
};

}  // namespace

template <Scalar T>
double grad_sign(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  const auto n = static_cast<std::int64_t>(batch.labels.size());
  net.train();
  net.zero_grad();
  const auto params = net.named_parameters();
  std::map<const void*, std::size_t> index;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].kind == nn::ParameterKind::weight) index.emplace(params[i].variable.node().get(), i);
  SignTally tally;
  {
    nn::BasicPerSampleGradients<T> per_sample(
        n, [&](const BasicVariable<T>& weight, std::int64_t /*sample*/, const T* grad) {
          const auto it = index.find(weight.node().get());
          if (it != index.end()) tally.add(it->second, grad, weight.numel());
        });
    BasicVariable<T> loss = cross_entropy(net(BasicVariable<T>(batch.images.cast<T>())), batch.labels);
    loss.backward();
  }
  net.zero_grad();
  return tally.score();
}

template <Scalar T>
double grad_sign_per_sample_loop(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  net.train();
  SignTally tally;
  const auto params = net.named_parameters();
  const Shape& shape = batch.images.shape();
  const std::int64_t image = shape.numel() / shape[0];
  for (std::size_t s = 0; s < batch.labels.size(); ++s) {
    net.zero_grad();
    BasicTensor<T> x(Shape{1, shape[1], shape[2], shape[3]});
    std::copy(batch.images.data() + static_cast<std::int64_t>(s) * image,
              batch.images.data() + static_cast<std::int64_t>(s + 1) * image, x.data());
    BasicVariable<T> loss = cross_entropy(net(BasicVariable<T>(x)), std::vector<std::int32_t>{batch.labels[s]});
    loss.backward();
    for (std::size_t i = 0; i < params.size(); ++i)
      if (params[i].kind == nn::ParameterKind::weight && params[i].variable.has_grad())
        tally.add(i, params[i].variable.grad().data(), params[i].variable.numel());
  }
  net.zero_grad();
  return tally.score();
}

template double grad_sign(nn::BasicModule<float>&, const ProxyBatch&);
template double grad_sign(nn::BasicModule<double>&, const ProxyBatch&);
template double grad_sign_per_sample_loop(nn::BasicModule<float>&, const ProxyBatch&);
template double grad_sign_per_sample_loop(nn::BasicModule<double>&, const ProxyBatch&);

}  // namespace hwnas::estimate
