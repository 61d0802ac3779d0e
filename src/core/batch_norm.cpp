#include <cstdint>

#include <Eigen/Core>

#include "hwnas/core/detail/norm_pool_kernels.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::detail {
namespace {

template <Scalar T>
using ConstPlane = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
template <Scalar T>
using Plane = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;

/// An NCHW tensor seen as batch x channels x (H*W) planes.
struct ChannelLayout {
  std::int64_t batch;
  std::int64_t channels;
  std::int64_t plane;

  explicit ChannelLayout(const Shape& s) : batch(s[0]), channels(s[1]), plane(s[2] * s[3]) {}

  [[nodiscard]] std::int64_t offset(std::int64_t n, std::int64_t c) const { return (n * channels + c) * plane; }

  /// Runs `body(c)` for every channel, channels spread over the pool. Each
  /// channel is handled by one thread in a fixed order, so per-channel sums
  /// do not depend on the thread count.
  template <class Body>
  void for_each_channel(Body&& body) const {
    parallel_for(0, channels, plane_grain(batch * plane), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t c = lo; c < hi; ++c) body(c);
    });
  }
};

template <Scalar T>
T optional_value(const BasicTensor<T>* t, std::int64_t c, T fallback) {
  return t != nullptr ? (*t)[c] : fallback;
}

}  // namespace

template <Scalar T>
void channel_moments(const BasicTensor<T>& x, BasicTensor<T>& mean, BasicTensor<T>& variance) {
  const ChannelLayout layout(x.shape());
  mean = BasicTensor<T>(Shape{layout.channels});
  variance = BasicTensor<T>(Shape{layout.channels});
  const auto count = static_cast<double>(layout.batch * layout.plane);
  layout.for_each_channel([&](std::int64_t c) {
    // Each plane is reduced in T (full SIMD width), the planes in double.
    double sum = 0.0;
    for (std::int64_t n = 0; n < layout.batch; ++n)
      sum += ConstPlane<T>(x.data() + layout.offset(n, c), layout.plane).sum();
    const auto mu = static_cast<T>(sum / count);
    // A second pass over the deviations avoids the cancellation of E[x^2] - E[x]^2;
    // their mean corrects for mu being rounded to T.
    double squares = 0.0;
    double deviations = 0.0;
    for (std::int64_t n = 0; n < layout.batch; ++n) {
      const auto d = ConstPlane<T>(x.data() + layout.offset(n, c), layout.plane) - mu;
      squares += d.square().sum();
      deviations += d.sum();
    }
    const double shift = deviations / count;
    mean[c] = static_cast<T>(static_cast<double>(mu) + shift);
    variance[c] = static_cast<T>(squares / count - shift * shift);
  });
}

template <Scalar T>
void batch_norm_forward(const BasicTensor<T>& x, const BasicTensor<T>& mean, const BasicTensor<T>& inv_std,
                        const BasicTensor<T>* gamma, const BasicTensor<T>* beta, BasicTensor<T>& y) {
  const ChannelLayout layout(x.shape());
  layout.for_each_channel([&](std::int64_t c) {
    const T mu = mean[c];
    const T scale = inv_std[c] * optional_value(gamma, c, T{1});
    const T shift = optional_value(beta, c, T{0});
    for (std::int64_t n = 0; n < layout.batch; ++n) {
      const auto offset = layout.offset(n, c);
      Plane<T>(y.data() + offset, layout.plane) =
          (ConstPlane<T>(x.data() + offset, layout.plane) - mu) * scale + shift;
    }
  });
}

template <Scalar T>
void batch_norm_backward(const BasicTensor<T>& grad_y, const BasicTensor<T>& x, const BasicTensor<T>& mean,
                         const BasicTensor<T>& inv_std, const BasicTensor<T>* gamma, bool batch_statistics,
                         const BatchNormGrads<T>& grads) {
  const ChannelLayout layout(x.shape());
  const auto count = static_cast<double>(layout.batch * layout.plane);
  layout.for_each_channel([&](std::int64_t c) {
    const T mu_t = mean[c];
    const double istd = inv_std[c];
    // sum(dy) and sum(dy * x_hat): the parameter gradients, and with batch
    // statistics the terms through which the mean and variance pass gradient back.
    // As in channel_moments, each plane is reduced in T and the planes in double.
    double sum_dy = 0.0;
    double sum_dy_centred = 0.0;
    for (std::int64_t n = 0; n < layout.batch; ++n) {
      const auto offset = layout.offset(n, c);
      const auto dy = ConstPlane<T>(grad_y.data() + offset, layout.plane);
      sum_dy += dy.sum();
      sum_dy_centred += (dy * (ConstPlane<T>(x.data() + offset, layout.plane) - mu_t)).sum();
    }
    const double sum_dy_xhat = sum_dy_centred * istd;
    if (grads.gamma != nullptr) (*grads.gamma)[c] += static_cast<T>(sum_dy_xhat);
    if (grads.beta != nullptr) (*grads.beta)[c] += static_cast<T>(sum_dy);
    if (grads.x == nullptr) return;

    const double scale = istd * optional_value(gamma, c, T{1});
    // dx = scale * (dy - mean(dy) - x_hat * mean(dy * x_hat)) with batch statistics, scale * dy without.
    const T dy_coef = static_cast<T>(scale);
    const T centred_coef = batch_statistics ? static_cast<T>(scale * istd * sum_dy_xhat / count) : T{0};
    const T constant = batch_statistics ? static_cast<T>(scale * sum_dy / count) : T{0};
    for (std::int64_t n = 0; n < layout.batch; ++n) {
      const auto offset = layout.offset(n, c);
      Plane<T>(grads.x->data() + offset, layout.plane) +=
          ConstPlane<T>(grad_y.data() + offset, layout.plane) * dy_coef -
          (ConstPlane<T>(x.data() + offset, layout.plane) - mu_t) * centred_coef - constant;
    }
  });
}

#define HWNAS_INSTANTIATE_BATCH_NORM(T)                                                                        \
  template void channel_moments<T>(const BasicTensor<T>&, BasicTensor<T>&, BasicTensor<T>&);                 \
  template void batch_norm_forward<T>(const BasicTensor<T>&, const BasicTensor<T>&, const BasicTensor<T>&,    \
                                      const BasicTensor<T>*, const BasicTensor<T>*, BasicTensor<T>&);         \
  template void batch_norm_backward<T>(const BasicTensor<T>&, const BasicTensor<T>&, const BasicTensor<T>&,   \
                                       const BasicTensor<T>&, const BasicTensor<T>*, bool,                    \
                                       const BatchNormGrads<T>&);

HWNAS_INSTANTIATE_BATCH_NORM(float)
HWNAS_INSTANTIATE_BATCH_NORM(double)

#undef HWNAS_INSTANTIATE_BATCH_NORM

}  // namespace hwnas::detail
