#pragma once
/// \file
/// Elastic width for batch norm (Once-for-All's DynamicBatchNorm2d): a layer
/// stored at the largest width normalises a narrower input with the first
/// entries of its scale, shift and running statistics.

#include <algorithm>
#include <cstdint>

#include "hwnas/core/ops/batch_norm.hpp"
#include "hwnas/core/ops/reshape.hpp"
#include "hwnas/nn/batch_norm.hpp"

namespace hwnas::nn {

/// The first `count` entries of the rank-1 tensor `t`, as a copy.
template <Scalar T>
[[nodiscard]] BasicTensor<T> leading_entries(const BasicTensor<T>& t, std::int64_t count) {
  HWNAS_CHECK_SHAPE(t.dim() == 1 && count >= 0 && count <= t.numel(),
                    "leading_entries: cannot take {} entries of a tensor of shape {}", count, t.shape());
  BasicTensor<T> out(Shape{count});
  std::copy(t.data(), t.data() + count, out.data());
  return out;
}

/// `bn` applied to `x` [N, C, H, W] with C at most `bn`'s channels, through
/// the first C entries of its parameters (gradients reach those entries) and
/// running statistics. In training mode only those C running entries move;
/// the others keep what the wider subnets left there.
template <Scalar T>
BasicVariable<T> leading_batch_norm2d(BasicBatchNorm2d<T>& bn, const BasicVariable<T>& x) {
  HWNAS_CHECK_SHAPE(x.dim() == 4 && x.size(1) >= 1 && x.size(1) <= bn.spec().channels(),
                    "leading_batch_norm2d: expected input [N, C, H, W] with 1 <= C <= {}, got {}",
                    bn.spec().channels(), x.shape());
  const std::int64_t channels = x.size(1);
  const auto leading = [channels](const BasicVariable<T>& v) {
    return v ? hwnas::narrow(v, 0, 0, channels) : BasicVariable<T>();
  };
  BasicTensor<T> mean = leading_entries(bn.running_mean(), channels);
  BasicTensor<T> var = leading_entries(bn.running_var(), channels);
  const bool training = bn.is_training();
  auto out = hwnas::batch_norm2d(
      x, leading(bn.weight()), leading(bn.bias()), mean, var,
      BatchNormOptions{}.training(training).momentum(bn.spec().momentum()).eps(bn.spec().eps()));
  if (training) {
    std::copy(mean.data(), mean.data() + channels, bn.running_mean().data());
    std::copy(var.data(), var.data() + channels, bn.running_var().data());
  }
  return out;
}

}  // namespace hwnas::nn
