#pragma once
/// \file
/// Net2Net's function-preserving transforms (Chen et al., ICLR 2016) on
/// layers and on plain networks (a `Sequential` of layers applied in turn):
///
///     Rng rng(7);
///     auto wider = inherit::net2wider(*net, "conv1", 48, rng);   // conv1 has 48 filters
///     auto deeper = inherit::net2deeper(*net, "relu1");          // identity conv + BN + ReLU after relu1
///
/// Both return a new network computing the same function as `net` (up to
/// float rounding), with its own copies of the weights; `net` is unchanged.
///
/// Net2Wider widens a conv (groups 1) or linear layer to `new_width` outputs
/// by a `WideningMap`, then follows the signal to the next layer that sums
/// over its inputs: batch norms and depthwise convs on the way are widened
/// channel by channel (copied, not divided), parameter-free layers
/// (activations, pooling, dropout, flatten) pass it, and the consumer (a
/// conv of groups 1 or a linear layer) gets its input columns copied and
/// divided by the replica counts. A linear layer reached through `Flatten`
/// sees each channel as in_features / channels consecutive inputs (height x
/// width), and those are copied together. In training mode replicated
/// channels have identical batch statistics, so the widened network is
/// equal in both modes.
///
/// Net2Deeper inserts, after a ReLU (or ReLU6), a layer that is the identity
/// on its non-negative input followed by the same activation: for a conv
/// signal a k x k conv with the identity kernel (same padding, no bias) and
/// a batch norm that passes through in evaluation mode (running mean 0,
/// variance 1, scale sqrt(1 + eps), shift 0); for a linear signal an
/// identity linear layer. The width is that of the nearest conv, batch norm
/// or linear layer before the activation. Equality holds in evaluation mode
/// (in training mode the new batch norm uses batch statistics).
///
/// Stateless layers are shared between the parent and the new network;
/// Conv2d, BatchNorm2d, Linear and nested Sequential layers are copied; any
/// other layer with parameters or buffers is a ConfigError naming it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "hwnas/core/random.hpp"
#include "hwnas/inherit/widening.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::inherit {

/// A conv of groups 1 with `map.new_width()` filters copied by the map.
/// ConfigError for a grouped conv or a map of another width.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicConv2d<T>> widen_outputs(const nn::BasicConv2d<T>& conv, const WideningMap& map);
/// A conv of groups 1 whose input columns are copied by the map and divided
/// by the replica counts. ConfigError for a grouped conv or a map of another width.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicConv2d<T>> widen_inputs(const nn::BasicConv2d<T>& conv, const WideningMap& map);
/// A depthwise conv (groups = in = out) of `map.new_width()` channels, each
/// a copy of its old channel (no division). ConfigError for another conv.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicConv2d<T>> widen_depthwise(const nn::BasicConv2d<T>& conv,
                                                                  const WideningMap& map);
/// A linear layer with `map.new_width()` outputs copied by the map.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicLinear<T>> widen_outputs(const nn::BasicLinear<T>& linear,
                                                                const WideningMap& map);
/// A linear layer whose inputs, `block` per unit, are copied by the map and
/// divided by the replica counts.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicLinear<T>> widen_inputs(const nn::BasicLinear<T>& linear, const WideningMap& map,
                                                               std::int64_t block = 1);
/// A batch norm of `map.new_width()` channels, scale, shift and running
/// statistics copied by the map.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicBatchNorm2d<T>> widen_channels(const nn::BasicBatchNorm2d<T>& bn,
                                                                      const WideningMap& map);

/// A k x k conv of `channels` -> `channels` (same padding, no bias) that is
/// the identity. ConfigError for a non-positive width or an even kernel.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicConv2d<T>> identity_conv(std::int64_t channels, std::int64_t kernel_size = 3);
/// A batch norm that is the identity in evaluation mode: running mean 0,
/// variance 1, scale sqrt(1 + eps), shift 0.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicBatchNorm2d<T>> identity_batch_norm(std::int64_t channels);
/// A `features` -> `features` linear layer that is the identity.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicLinear<T>> identity_linear(std::int64_t features);

/// `net` with its layer at `index` (a conv of groups 1 or a linear layer)
/// widened to `new_width` outputs (see the file comment). ConfigError
/// naming the problem for an index out of range, a layer that is not a
/// conv or linear, a width below the current one, a layer without a
/// consumer after it, or a layer on the way that cannot be widened.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> net2wider(const nn::BasicSequential<T>& net, std::size_t index,
                                                                std::int64_t new_width, Rng& rng);
/// The same with the layer given by name.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> net2wider(const nn::BasicSequential<T>& net,
                                                                std::string_view layer, std::int64_t new_width,
                                                                Rng& rng);

/// `net` with an identity layer and a copy of the activation inserted after
/// the ReLU or ReLU6 at `index` (see the file comment). Networks whose
/// layers are named by position are renumbered; otherwise the new layers
/// are named `<activation>_identity`, `<activation>_identity_bn` (conv
/// signals only) and `<activation>_identity_act`. ConfigError naming the
/// layer when it is not a ReLU or ReLU6, or when no conv, batch norm or
/// linear layer before it tells the width.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> net2deeper(const nn::BasicSequential<T>& net, std::size_t index,
                                                                 std::int64_t kernel_size = 3);
/// The same with the activation given by name.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> net2deeper(const nn::BasicSequential<T>& net,
                                                                 std::string_view layer, std::int64_t kernel_size = 3);

/// The position of the layer called `name` in `net`; ConfigError if none is.
template <Scalar T>
[[nodiscard]] std::size_t layer_index(const nn::BasicSequential<T>& net, std::string_view name);

}  // namespace hwnas::inherit
