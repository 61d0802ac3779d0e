#pragma once
/// \file
/// Softmax, log-softmax and the classification losses built on them, each
/// with its gradient. Logits are [N, K]: one row of K class scores per sample.
/// Every row is shifted by its maximum before exponentiating and its sums are
/// taken in double, so large logits neither overflow nor lose precision.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "hwnas/core/autograd.hpp"

namespace hwnas {

namespace detail {

inline void check_logits(const char* op, const Shape& shape) {
  HWNAS_CHECK_SHAPE(shape.rank() == 2, "{}: expected [N, K] logits, got {}", op, shape);
}

inline void check_nonempty_batch(const char* op, const Shape& shape) {
  HWNAS_CHECK_SHAPE(shape[0] > 0, "{}: empty batch, logits of shape {}", op, shape);
}

/// Row-wise log-softmax of x / temperature for x of shape [N, K].
template <Scalar T>
BasicTensor<T> log_softmax_rows(const BasicTensor<T>& x, double temperature = 1.0) {
  auto out = BasicTensor<T>::uninitialized(x.shape());
  const std::int64_t rows = x.size(0);
  const std::int64_t cols = x.size(1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* in = x.data() + r * cols;
    T* o = out.data() + r * cols;
    double top = -std::numeric_limits<double>::infinity();
    for (std::int64_t k = 0; k < cols; ++k) top = std::max(top, static_cast<double>(in[k]) / temperature);
    double total = 0.0;
    for (std::int64_t k = 0; k < cols; ++k) total += std::exp(static_cast<double>(in[k]) / temperature - top);
    const double log_normaliser = top + std::log(total);
    for (std::int64_t k = 0; k < cols; ++k) {
      o[k] = static_cast<T>(static_cast<double>(in[k]) / temperature - log_normaliser);
    }
  }
  return out;
}

}  // namespace detail

/// Row-wise log(softmax(x)) for x of shape [N, K].
template <Scalar T>
BasicVariable<T> log_softmax(const BasicVariable<T>& x) {
  detail::check_logits("log_softmax", x.shape());
  return BasicVariable<T>::make_result("log_softmax", detail::log_softmax_rows(x.value()), {&x}, [](auto& node) {
    // d/dx_j = g_j - softmax_j * sum_k g_k, row by row.
    const std::int64_t cols = node.value.size(1);
    BasicTensor<T>& gx = node.input_grad(0);
    for (std::int64_t r = 0; r < node.value.size(0); ++r) {
      const T* g = node.grad.data() + r * cols;
      const T* y = node.value.data() + r * cols;
      double g_total = 0.0;
      for (std::int64_t k = 0; k < cols; ++k) g_total += g[k];
      for (std::int64_t k = 0; k < cols; ++k) {
        gx.data()[r * cols + k] += static_cast<T>(g[k] - std::exp(static_cast<double>(y[k])) * g_total);
      }
    }
  });
}

/// Row-wise softmax(x) for x of shape [N, K].
template <Scalar T>
BasicVariable<T> softmax(const BasicVariable<T>& x) {
  detail::check_logits("softmax", x.shape());
  BasicTensor<T> out = detail::log_softmax_rows(x.value());
  out.array() = out.array().exp();
  return BasicVariable<T>::make_result("softmax", std::move(out), {&x}, [](auto& node) {
    // d/dx_j = y_j * (g_j - sum_k g_k y_k), row by row.
    const std::int64_t cols = node.value.size(1);
    BasicTensor<T>& gx = node.input_grad(0);
    for (std::int64_t r = 0; r < node.value.size(0); ++r) {
      const T* g = node.grad.data() + r * cols;
      const T* y = node.value.data() + r * cols;
      double dot = 0.0;
      for (std::int64_t k = 0; k < cols; ++k) dot += static_cast<double>(g[k]) * y[k];
      for (std::int64_t k = 0; k < cols; ++k) gx.data()[r * cols + k] += static_cast<T>(y[k] * (g[k] - dot));
    }
  });
}

/// Mean over the batch of the cross entropy between softmax(logits) and the
/// labels, for logits [N, K] and N labels in [0, K). With label smoothing eps
/// the target of each row is (1 - eps) * onehot(label) + eps / K, as in
/// PyTorch: loss_n = -sum_k target_k * log_softmax(logits_n)_k.
/// Throws ShapeError for an empty batch or a label count other than N, and
/// ConfigError for a label outside [0, K) or eps outside [0, 1].
template <Scalar T>
BasicVariable<T> cross_entropy(const BasicVariable<T>& logits, std::span<const std::int32_t> labels,
                               double label_smoothing = 0.0) {
  detail::check_logits("cross_entropy", logits.shape());
  detail::check_nonempty_batch("cross_entropy", logits.shape());
  const std::int64_t rows = logits.size(0);
  const std::int64_t cols = logits.size(1);
  HWNAS_CHECK_SHAPE(static_cast<std::int64_t>(labels.size()) == rows,
                    "cross_entropy: {} labels given for logits of shape {}", labels.size(), logits.shape());
  HWNAS_CHECK_CONFIG(label_smoothing >= 0.0 && label_smoothing <= 1.0,
                     "cross_entropy: label smoothing must be in [0, 1], got {}", label_smoothing);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    HWNAS_CHECK_CONFIG(labels[i] >= 0 && labels[i] < cols,
                       "cross_entropy: label {} (sample {}) is outside [0, {}) for {} classes", labels[i], i, cols,
                       cols);
  }
  const double on_target = 1.0 - label_smoothing;
  const double every_class = label_smoothing / static_cast<double>(cols);
  BasicTensor<T> log_probs = detail::log_softmax_rows(logits.value());
  double total = 0.0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* lp = log_probs.data() + r * cols;
    double row_total = 0.0;
    for (std::int64_t k = 0; k < cols; ++k) row_total += lp[k];
    total -= on_target * lp[labels[static_cast<std::size_t>(r)]] + every_class * row_total;
  }
  const auto loss = BasicTensor<T>::scalar(static_cast<T>(total / static_cast<double>(rows)));
  return BasicVariable<T>::make_result(
      "cross_entropy", loss, {&logits},
      [log_probs = std::move(log_probs), labels = std::vector<std::int32_t>(labels.begin(), labels.end()), on_target,
       every_class](auto& node) {
        // d/dlogit_k = (softmax_k - target_k) / N.
        const std::int64_t n = log_probs.size(0);
        const std::int64_t k_count = log_probs.size(1);
        const double g = static_cast<double>(node.grad[0]) / static_cast<double>(n);
        BasicTensor<T>& gx = node.input_grad(0);
        for (std::int64_t r = 0; r < n; ++r) {
          const std::int64_t label = labels[static_cast<std::size_t>(r)];
          for (std::int64_t k = 0; k < k_count; ++k) {
            const std::int64_t i = r * k_count + k;
            const double target = every_class + (k == label ? on_target : 0.0);
            gx[i] += static_cast<T>(g * (std::exp(static_cast<double>(log_probs[i])) - target));
          }
        }
      });
}

/// Distillation loss: the mean over the batch of KL(p || q), with
/// p = softmax(teacher / T) and q = softmax(student / T) row by row:
///   loss = (1 / N) * sum_n sum_k p_nk * (log p_nk - log q_nk).
/// It is 0 for identical logits. Gradients reach whichever argument requires
/// them (a detached teacher gets none). The result is not multiplied by T^2;
/// callers that want gradients of the same size across temperatures scale it.
/// Throws ShapeError unless both are [N, K] with N > 0, ConfigError unless T > 0.
template <Scalar T>
BasicVariable<T> kl_div_logits(const BasicVariable<T>& student, const BasicVariable<T>& teacher,
                               double temperature = 1.0) {
  detail::check_logits("kl_div_logits", student.shape());
  check_same_shape("kl_div_logits", student, teacher);
  detail::check_nonempty_batch("kl_div_logits", student.shape());
  HWNAS_CHECK_CONFIG(temperature > 0.0 && std::isfinite(temperature),
                     "kl_div_logits: temperature must be positive and finite, got {}", temperature);
  const std::int64_t rows = student.size(0);
  const std::int64_t cols = student.size(1);
  BasicTensor<T> log_q = detail::log_softmax_rows(student.value(), temperature);
  BasicTensor<T> log_p = detail::log_softmax_rows(teacher.value(), temperature);
  std::vector<double> row_kl(static_cast<std::size_t>(rows), 0.0);
  double total = 0.0;
  for (std::int64_t r = 0; r < rows; ++r) {
    double kl = 0.0;
    for (std::int64_t i = r * cols; i < (r + 1) * cols; ++i) {
      kl += std::exp(static_cast<double>(log_p[i])) * (static_cast<double>(log_p[i]) - log_q[i]);
    }
    row_kl[static_cast<std::size_t>(r)] = kl;
    total += kl;
  }
  const auto loss = BasicTensor<T>::scalar(static_cast<T>(total / static_cast<double>(rows)));
  return BasicVariable<T>::make_result(
      "kl_div_logits", loss, {&student, &teacher},
      [log_q = std::move(log_q), log_p = std::move(log_p), row_kl = std::move(row_kl), temperature](auto& node) {
        // d/ds_k = (q_k - p_k) / T and d/dt_k = p_k * (log p_k - log q_k - KL_n) / T, both over N.
        const std::int64_t n = log_p.size(0);
        const std::int64_t k_count = log_p.size(1);
        const double g = static_cast<double>(node.grad[0]) / (static_cast<double>(n) * temperature);
        for (std::int64_t r = 0; r < n; ++r) {
          for (std::int64_t i = r * k_count; i < (r + 1) * k_count; ++i) {
            const double p = std::exp(static_cast<double>(log_p[i]));
            if (node.needs_input_grad(0)) {
              node.input_grad(0)[i] += static_cast<T>(g * (std::exp(static_cast<double>(log_q[i])) - p));
            }
            if (node.needs_input_grad(1)) {
              const double log_ratio = static_cast<double>(log_p[i]) - log_q[i];
              node.input_grad(1)[i] += static_cast<T>(g * p * (log_ratio - row_kl[static_cast<std::size_t>(r)]));
            }
          }
        }
      });
}

}  // namespace hwnas
