#pragma once
/// \file
/// Per-sample gradients in one batched pass. While a
/// `BasicPerSampleGradients<T>` is alive on a thread, the `Conv2d`, `Linear`
/// and `BatchNorm2d` layers of the same element type run every sample of the
/// batch as if it were alone:
///
/// - batch norm normalises each sample with that sample's own statistics
///   (what a batch of one does in training mode); running statistics are
///   left untouched;
/// - in `backward()`, conv and linear layers hand the gradient of their
///   weight for each sample separately to a consumer, instead of summing
///   them into the weight's gradient.
///
/// The forward pass and the input gradients are the usual batched kernels;
/// each sample's weight gradient is the kernel of a batch of one on that
/// sample's slice, streamed to the consumer one at a time, so memory stays
/// at one weight's size:
///
///     PerSampleGradients per_sample(n, [&](const Variable& weight, std::int64_t sample, const float* grad) {...});
///     cross_entropy(net(x), labels).backward();
///
/// Without a consumer the context keeps every gradient, [N, weight dims...],
/// for `gradients(weight)`. The backward pass must run while the context is
/// alive. Gradients flow to the input, not to the layers'
/// parameters; biases and batch-norm parameters take part as constants.

#include <cstdint>
#include <functional>
#include <map>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/ops/batch_norm.hpp"
#include "hwnas/core/ops/conv.hpp"

namespace hwnas::nn {

template <Scalar T>
class BasicPerSampleGradients {
 public:
  using Variable = BasicVariable<T>;
  using Tensor = BasicTensor<T>;
  /// Receives sample `sample`'s gradient of `weight` (weight.numel() values).
  using Consumer = std::function<void(const Variable& weight, std::int64_t sample, const T* grad)>;

  /// Active on this thread until destroyed, for batches of `batch` samples.
  explicit BasicPerSampleGradients(std::int64_t batch, Consumer consumer = {});
  ~BasicPerSampleGradients();
  BasicPerSampleGradients(const BasicPerSampleGradients&) = delete;
  BasicPerSampleGradients& operator=(const BasicPerSampleGradients&) = delete;

  /// The context active on this thread, or null.
  [[nodiscard]] static BasicPerSampleGradients* active();

  [[nodiscard]] std::int64_t batch() const { return batch_; }

  /// Without a consumer: sample n's gradient of `weight` as [N, weight
  /// dims...]; an empty tensor when no backward pass reached the weight.
  [[nodiscard]] Tensor gradients(const Variable& weight) const;

  /// What the layers call in place of the batched ops.
  [[nodiscard]] Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                                const Conv2dOptions& options);
  [[nodiscard]] Variable linear(const Variable& x, const Variable& weight, const Variable& bias);
  [[nodiscard]] Variable batch_norm2d(const Variable& x, const Variable& weight, const Variable& bias, double eps);

 private:
  void check_batch(const Shape& shape, const char* who) const;
  void deliver(const Variable& weight, std::int64_t sample, const T* grad);

  std::int64_t batch_;
  Consumer consumer_;
  BasicPerSampleGradients* previous_;
  std::map<const void*, Tensor> kept_;
};

using PerSampleGradients = BasicPerSampleGradients<float>;

}  // namespace hwnas::nn
