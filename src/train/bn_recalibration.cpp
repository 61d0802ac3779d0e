#include "hwnas/train/bn_recalibration.hpp"

#include <unordered_map>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/detail/norm_pool_kernels.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/forward_hook.hpp"
#include "hwnas/train/metrics.hpp"

namespace hwnas::train {

std::vector<Tensor> recalibration_batches(const data::LabelledImages& data, std::int64_t count,
                                          std::int64_t batch_size, std::uint64_t seed) {
  const auto available = std::ssize(data.labels);
  HWNAS_CHECK_CONFIG(count >= 1 && count <= available && batch_size >= 2,
                     "BN recalibration: needs 1 to {} images in batches of at least 2, asked for {} in batches of {}",
                     available, count, batch_size);
  Rng rng(seed);
  auto order = data::random_permutation(available, rng);
  order.resize(static_cast<std::size_t>(count));
  std::vector<Tensor> batches;
  for (std::int64_t start = 0; start < count; start += batch_size) {
    const auto end = std::min(count, start + batch_size);
    const std::span<const std::int64_t> indices(order.data() + start, static_cast<std::size_t>(end - start));
    batches.push_back(data::subset(data, indices).images);
  }
  return batches;
}

template <Scalar T>
void recalibrate_batch_norm(nn::BasicModule<T>& net, const std::vector<BasicTensor<T>>& batches) {
  HWNAS_CHECK_CONFIG(!batches.empty(), "BN recalibration: needs at least one batch");
  struct Moments {
    BasicTensor<T> mean_sum;
    BasicTensor<T> var_sum;
    std::int64_t batches = 0;
  };
  std::unordered_map<nn::BasicBatchNorm2d<T>*, Moments> moments;
  const nn::BasicForwardHook<T> hook([&](nn::BasicModule<T>& module, const BasicVariable<T>& x, BasicVariable<T> y) {
    if (auto* bn = dynamic_cast<nn::BasicBatchNorm2d<T>*>(&module)) {
      BasicTensor<T> mean;
      BasicTensor<T> variance;
      detail::channel_moments(x.value(), mean, variance);
      Moments& m = moments[bn];
      if (m.batches++ == 0) {
        m.mean_sum = std::move(mean);
        m.var_sum = std::move(variance);
      } else {
        m.mean_sum.array() += mean.array();
        m.var_sum.array() += variance.array();
      }
    }
    return y;
  });
  const bool was_training = net.is_training();
  net.train(true);
  {
    const NoGradGuard no_grad;
    for (const auto& batch : batches) (void)net(BasicVariable<T>(batch));
  }
  net.train(was_training);
  for (auto& [bn, m] : moments) {
    const auto n = static_cast<T>(m.batches);
    bn->running_mean().array() = m.mean_sum.array() / n;
    bn->running_var().array() = m.var_sum.array() / n;
  }
}

template void recalibrate_batch_norm<float>(nn::BasicModule<float>&, const std::vector<BasicTensor<float>>&);
template void recalibrate_batch_norm<double>(nn::BasicModule<double>&, const std::vector<BasicTensor<double>>&);

estimate::Estimate recalibrated_accuracy(nn::Module& network, const data::LabelledImages& validation,
                                         const std::vector<Tensor>& calibration, std::int64_t batch_size,
                                         std::chrono::steady_clock::time_point start) {
  recalibrate_batch_norm(network, calibration);
  estimate::Estimate e;
  e.value = evaluate(network, validation, batch_size).accuracy;
  e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto validation_images = std::ssize(validation.labels);
  e.cost.forward_passes = std::ssize(calibration) + (validation_images + batch_size - 1) / batch_size;
  for (const Tensor& batch : calibration) e.cost.images += batch.size(0);
  e.cost.images += validation_images;
  return e;
}

}  // namespace hwnas::train
