#include "hwnas/nn/per_sample.hpp"

#include <algorithm>
#include <vector>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/reshape.hpp"

namespace hwnas::nn {
namespace {

template <Scalar T>
BasicPerSampleGradients<T>*& innermost() {
  thread_local BasicPerSampleGradients<T>* context = nullptr;
  return context;
}

/// `t` repeated `n` times: [n * d0].
template <Scalar T>
BasicTensor<T> tile(const BasicTensor<T>& t, std::int64_t n) {
  auto out = BasicTensor<T>::uninitialized(Shape{n * t.numel()});
  for (std::int64_t i = 0; i < n; ++i) std::copy(t.data(), t.data() + t.numel(), out.data() + i * t.numel());
  return out;
}

/// A constant copy of `v` (or an undefined variable): the per-sample ops take
/// part in no parameter's gradient but the weights', which they stream.
template <Scalar T>
BasicVariable<T> constant(const BasicVariable<T>& v) {
  return v.defined() ? BasicVariable<T>(v.value()) : BasicVariable<T>();
}

}  // namespace

template <Scalar T>
BasicPerSampleGradients<T>::BasicPerSampleGradients(std::int64_t batch, Consumer consumer)
    : batch_(batch), consumer_(std::move(consumer)), previous_(innermost<T>()) {
  HWNAS_CHECK_CONFIG(batch >= 1, "PerSampleGradients: batch must be >= 1, got {}", batch);
  innermost<T>() = this;
}

template <Scalar T>
BasicPerSampleGradients<T>::~BasicPerSampleGradients() {
  innermost<T>() = previous_;
}

template <Scalar T>
BasicPerSampleGradients<T>* BasicPerSampleGradients<T>::active() {
  return innermost<T>();
}

template <Scalar T>
void BasicPerSampleGradients<T>::check_batch(const Shape& shape, const char* who) const {
  HWNAS_CHECK_SHAPE(shape.rank() >= 2 && shape[0] == batch_, "{} (per-sample): expected a batch of {}, got {}", who,
                    batch_, shape);
}

template <Scalar T>
void BasicPerSampleGradients<T>::deliver(const Variable& weight, std::int64_t sample, const T* grad) {
  if (consumer_) {
    consumer_(weight, sample, grad);
    return;
  }
  auto [it, inserted] = kept_.try_emplace(weight.node().get());
  if (inserted) {
    std::vector<std::int64_t> dims{batch_};
    dims.insert(dims.end(), weight.shape().dims().begin(), weight.shape().dims().end());
    it->second = Tensor(Shape(dims));
  }
  T* out = it->second.data() + sample * weight.numel();
  std::transform(grad, grad + weight.numel(), out, out, [](T g, T sum) { return sum + g; });
}

template <Scalar T>
typename BasicPerSampleGradients<T>::Tensor BasicPerSampleGradients<T>::gradients(const Variable& weight) const {
  const auto it = kept_.find(weight.node().get());
  return it == kept_.end() ? Tensor() : it->second;
}

template <Scalar T>
typename BasicPerSampleGradients<T>::Variable BasicPerSampleGradients<T>::conv2d(const Variable& x,
                                                                                  const Variable& weight,
                                                                                  const Variable& bias,
                                                                                  const Conv2dOptions& options) {
  check_batch(x.shape(), "conv2d");
  // The weight is an input so that the pass is recorded; its own gradient is never written.
  const Variable& w = weight;
  const Variable b = constant(bias);
  const auto geometry = detail::conv2d_geometry(x.shape(), w.shape(), b.defined() ? &b.shape() : nullptr,
                                                options.stride_, options.padding_, options.groups_);
  auto out =
      Tensor::uninitialized(Shape{geometry.batch, geometry.out_channels, geometry.out_height, geometry.out_width});
  detail::conv2d_forward<T>(geometry, x.value().data(), w.value().data(), b.defined() ? b.value().data() : nullptr,
                            out.data());
  MacCounter::record(geometry.batch * geometry.out_channels * geometry.out_plane() * geometry.patch_size());
  return Variable::make_result("conv2d_per_sample", std::move(out), {&x, &w}, [this, geometry, weight](auto& node) {
    const T* grad = node.grad.data();
    const T* input = node.input_value(0).data();
    if (node.needs_input_grad(0))
      detail::conv2d_backward_input<T>(geometry, grad, node.input_value(1).data(), node.input_grad(0).data());
    detail::Conv2dGeometry one = geometry;
    one.batch = 1;
    const std::int64_t in_size = geometry.in_channels * geometry.in_plane();
    const std::int64_t out_size = geometry.out_channels * geometry.out_plane();
    std::vector<T> sample_grad(static_cast<std::size_t>(weight.numel()));
    for (std::int64_t n = 0; n < geometry.batch; ++n) {
      std::fill(sample_grad.begin(), sample_grad.end(), T{0});
      detail::conv2d_backward_weight<T>(one, grad + n * out_size, input + n * in_size, sample_grad.data());
      deliver(weight, n, sample_grad.data());
    }
  });
}

template <Scalar T>
typename BasicPerSampleGradients<T>::Variable BasicPerSampleGradients<T>::linear(const Variable& x,
                                                                                  const Variable& weight,
                                                                                  const Variable& bias) {
  check_batch(x.shape(), "linear");
  const Variable& w = weight;
  const Variable b = constant(bias);
  const auto geometry = detail::linear_geometry(x.shape(), w.shape(), b.defined() ? &b.shape() : nullptr);
  auto out = Tensor::uninitialized(Shape{geometry.batch, geometry.out_features});
  detail::linear_forward<T>(geometry, x.value().data(), w.value().data(), b.defined() ? b.value().data() : nullptr,
                            out.data());
  MacCounter::record(geometry.batch * geometry.in_features * geometry.out_features);
  return Variable::make_result("linear_per_sample", std::move(out), {&x, &w}, [this, geometry, weight](auto& node) {
    const T* grad = node.grad.data();
    const T* input = node.input_value(0).data();
    if (node.needs_input_grad(0))
      detail::linear_backward_input<T>(geometry, grad, node.input_value(1).data(), node.input_grad(0).data());
    detail::LinearGeometry one = geometry;
    one.batch = 1;
    std::vector<T> sample_grad(static_cast<std::size_t>(weight.numel()));
    for (std::int64_t n = 0; n < geometry.batch; ++n) {
      std::fill(sample_grad.begin(), sample_grad.end(), T{0});
      detail::linear_backward_weight<T>(one, grad + n * geometry.out_features, input + n * geometry.in_features,
                                        sample_grad.data());
      deliver(weight, n, sample_grad.data());
    }
  });
}

template <Scalar T>
typename BasicPerSampleGradients<T>::Variable BasicPerSampleGradients<T>::batch_norm2d(const Variable& x,
                                                                                        const Variable& weight,
                                                                                        const Variable& bias,
                                                                                        double eps) {
  check_batch(x.shape(), "batch_norm2d");
  // One image of N * C channels: per-channel statistics are then per sample.
  const std::int64_t channels = x.size(1) * batch_;
  Tensor running_mean(Shape{channels});
  Tensor running_var(Shape{channels}, T{1});
  const Variable w = weight.defined() ? Variable(tile(weight.value(), batch_)) : Variable();
  const Variable b = bias.defined() ? Variable(tile(bias.value(), batch_)) : Variable();
  const Variable merged = reshape(x, Shape{1, channels, x.size(2), x.size(3)});
  const Variable y = hwnas::batch_norm2d(merged, w, b, running_mean, running_var,
                                         BatchNormOptions{}.training(true).eps(eps));
  return reshape(y, x.shape());
}

template class BasicPerSampleGradients<float>;
template class BasicPerSampleGradients<double>;

}  // namespace hwnas::nn
