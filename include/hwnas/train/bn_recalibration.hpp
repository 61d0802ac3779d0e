#pragma once
/// \file
/// Batch-norm recalibration as Once-for-All does it before evaluating a
/// subnet (../shared/spec/ofa.md §5): weights shared across subnets leave
/// running statistics that fit whichever subnet trained last, so they are
/// re-estimated for the network at hand:
///
///     auto batches = recalibration_batches(train_images, 2000, 200, seed);
///     recalibrate_batch_norm(*subnet, batches);
///     trainer.evaluate(validation);
///
/// Every batch runs forward in training mode (so each batch norm normalises
/// with the batch's own statistics and later layers see the inputs they
/// would in training); each batch norm's running mean and variance become
/// the plain averages, over the batches, of its per-batch mean and biased
/// variance. Batch norms the batches never reach keep their statistics.

#include <chrono>
#include <cstdint>
#include <vector>

#include "hwnas/core/tensor.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::train {

/// `count` images of `data` drawn without replacement by `seed`, in batches
/// of `batch_size` (the last may be smaller). ConfigError unless
/// 1 <= count <= the images available and batch_size >= 2.
[[nodiscard]] std::vector<Tensor> recalibration_batches(const data::LabelledImages& data, std::int64_t count,
                                                        std::int64_t batch_size, std::uint64_t seed);

/// Re-estimates the running statistics of `net`'s batch norms on `batches`
/// (see above); `net` keeps its training or evaluation mode. ConfigError for
/// no batches.
template <Scalar T>
void recalibrate_batch_norm(nn::BasicModule<T>& net, const std::vector<BasicTensor<T>>& batches);

/// The estimate Once-for-All and SMASH make of a network whose weights are
/// shared or generated: its batch norms recalibrated on `calibration`, then
/// its top-1 accuracy on `validation` in passes of `batch_size`. The cost
/// counts those passes and images, and the seconds since `start` (when the
/// caller began, e.g. before extracting the network).
[[nodiscard]] estimate::Estimate recalibrated_accuracy(nn::Module& network, const data::LabelledImages& validation,
                                                       const std::vector<Tensor>& calibration, std::int64_t batch_size,
                                                       std::chrono::steady_clock::time_point start);

}  // namespace hwnas::train
