#include "hwnas/estimate/gradient_proxies.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/ops/tap.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/per_sample.hpp"

namespace hwnas::estimate {
namespace {

/// The mean cross-entropy of `net` on `batch`, in training mode.
template <Scalar T>
BasicVariable<T> training_loss(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  net.train();
  return cross_entropy(net(BasicVariable<T>(batch.images.cast<T>())), batch.labels);
}

/// The conv and linear weights of `net`, the W of every proxy here.
template <Scalar T>
std::vector<BasicVariable<T>> layer_weights(const nn::BasicModule<T>& net) {
  std::vector<BasicVariable<T>> weights;
  for (auto& p : net.named_parameters())
    if (p.kind == nn::ParameterKind::weight) weights.push_back(std::move(p.variable));
  return weights;
}

/// dL/dW for each of `weights` (zeros where no gradient arrives).
template <Scalar T>
std::vector<BasicTensor<T>> weight_gradients(nn::BasicModule<T>& net, const ProxyBatch& batch,
                                             const std::vector<BasicVariable<T>>& weights) {
  net.zero_grad();
  training_loss(net, batch).backward();
  std::vector<BasicTensor<T>> grads;
  for (const auto& w : weights) grads.push_back(w.grad());
  net.zero_grad();
  return grads;
}

template <Scalar T>
double squared_norm(const std::vector<BasicTensor<T>>& tensors) {
  double sum = 0.0;
  for (const auto& t : tensors) sum += t.array().template cast<double>().square().sum();
  return sum;
}

/// Sum over channels k of 0.5 * mean over samples of (sum over positions of a * g)^2,
/// for a layer output `a` [N, C, ...] and its gradient `g`.
template <Scalar T>
double channel_fisher(const BasicTensor<T>& a, const BasicTensor<T>& g) {
  const std::int64_t n = a.size(0);
  const std::int64_t channels = a.size(1);
  const std::int64_t positions = a.numel() / (n * channels);
  double total = 0.0;
  for (std::int64_t i = 0; i < n * channels; ++i) {
    double s = 0.0;
    for (std::int64_t p = i * positions; p < (i + 1) * positions; ++p) s += static_cast<double>(a[p]) * g[p];
    total += s * s;
  }
  return 0.5 * total / static_cast<double>(n);
}

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
WeightGradientScores weight_gradient_scores(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  const auto weights = layer_weights(net);
  const auto grads = weight_gradients(net, batch, weights);
  WeightGradientScores scores;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const auto w = weights[i].value().array().template cast<double>();
    const auto g = grads[i].array().template cast<double>();
    scores.grad_norm += std::sqrt(g.square().sum());
    scores.snip += (w * g).abs().sum();
  }
  return scores;
}

template <Scalar T>
double fisher(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  double total = 0.0;
  const auto see = [&total](const BasicTensor<T>& a, const BasicTensor<T>& g) { total += channel_fisher(a, g); };
  net.zero_grad();
  BasicVariable<T> loss;
  {
    nn::BasicForwardHook<T> hook([&](nn::BasicModule<T>& layer, const BasicVariable<T>&, BasicVariable<T> y) {
      const bool weighted = dynamic_cast<nn::BasicConv2d<T>*>(&layer) || dynamic_cast<nn::BasicLinear<T>*>(&layer);
      return weighted ? tap<T>(y, see) : y;
    });
    loss = training_loss(net, batch);
  }
  loss.backward();
  net.zero_grad();
  return total;
}

template <Scalar T>
double grasp(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  auto weights = layer_weights(net);
  const auto g = weight_gradients(net, batch, weights);
  const double g_norm = std::sqrt(squared_norm(g));
  if (g_norm == 0.0) return 0.0;
  std::vector<BasicTensor<T>> original;
  for (const auto& w : weights) original.push_back(w.value());
  const double h = 1e-6 * std::sqrt(squared_norm(original)) / g_norm;
  const auto gradient_at = [&](double step) {
    for (std::size_t i = 0; i < weights.size(); ++i)
      weights[i].value().array() = original[i].array() + static_cast<T>(step) * g[i].array();
    return weight_gradients(net, batch, weights);
  };
  const auto plus = gradient_at(h);
  const auto minus = gradient_at(-h);
  double score = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    weights[i].value() = original[i];
    const auto hg = (plus[i].array().template cast<double>() - minus[i].array().template cast<double>()) / (2 * h);
    score -= (original[i].array().template cast<double>() * hg).sum();
  }
  return score;
}

template <Scalar T>
double grad_sign(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  const auto n = std::ssize(batch.labels);
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
    training_loss(net, batch).backward();
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

#define HWNAS_GRADIENT_PROXY_INSTANTIATE(T)                                                   \
  template WeightGradientScores weight_gradient_scores(nn::BasicModule<T>&, const ProxyBatch&); \
  template double fisher(nn::BasicModule<T>&, const ProxyBatch&);                              \
  template double grasp(nn::BasicModule<T>&, const ProxyBatch&);                               \
  template double grad_sign(nn::BasicModule<T>&, const ProxyBatch&);                           \
  template double grad_sign_per_sample_loop(nn::BasicModule<T>&, const ProxyBatch&);
HWNAS_GRADIENT_PROXY_INSTANTIATE(float)
HWNAS_GRADIENT_PROXY_INSTANTIATE(double)

}  // namespace hwnas::estimate
