#pragma once
/// \file
/// Morphisms (morphism.hpp) applied to trained networks: from a parent
/// network of `space.build(parent)`, a network of `space.build(child)` that
/// inherits every weight and computes the same function (up to float
/// rounding), in evaluation and in training mode:
///
///     Rng rng(3);
///     auto child_net = inherit::morph_network(parent, *parent_net, Morphism::widen(5), rng);
///
/// - widen: Net2Wider of the block's middle channels (in x expand): the
///   expand conv's rows and its batch norm, the depthwise conv and its batch
///   norm channel by channel, the squeeze-excite (its reduce conv's input
///   columns divided by the replica counts; its hidden width,
///   make_divisible(mid / 4, 8), grows too and is widened the same way; its
///   expand conv's rows and bias copied), and the projection conv's input
///   columns divided by the replica counts.
/// - deepen: a new block at the stage's end (stride 1 and residual, as every
///   block after a stage's first), default-initialised from `rng` except its
///   projection batch norm's scale and shift, which are 0: the block adds 0
///   to its input in both modes. Later blocks move up one place in `blocks`.
/// - enlarge_kernel: the depthwise kernel zero-padded around its centre.
///
/// Everything else is copied. The child is a new network with its own
/// weights, in the parent's training or evaluation mode.

#include <memory>
#include <vector>

#include "hwnas/core/random.hpp"
#include "hwnas/inherit/morphism.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace hwnas::inherit {

/// The network of `apply(parent, m)` with the weights of `parent_net`, a
/// network of `OfaFmnistSpace{}.build(parent)`. ConfigError when `m` does
/// not apply to `parent` (see `apply`) or when `parent_net` is not a network
/// of `parent` (ShapeError for weights of other shapes).
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> morph_network(const space::OfaFmnistArch& parent,
                                                                    const nn::BasicSequential<T>& parent_net,
                                                                    const Morphism& m, Rng& rng);

/// `parent_net` carried along every morphism of `path` in turn: a network of
/// `apply_path(parent, path)`. An empty path gives a copy.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> morph_network(const space::OfaFmnistArch& parent,
                                                                    const nn::BasicSequential<T>& parent_net,
                                                                    const std::vector<Morphism>& path, Rng& rng);

extern template std::shared_ptr<nn::BasicSequential<float>> morph_network(const space::OfaFmnistArch&,
                                                                          const nn::BasicSequential<float>&,
                                                                          const Morphism&, Rng&);
extern template std::shared_ptr<nn::BasicSequential<double>> morph_network(const space::OfaFmnistArch&,
                                                                           const nn::BasicSequential<double>&,
                                                                           const Morphism&, Rng&);
extern template std::shared_ptr<nn::BasicSequential<float>> morph_network(const space::OfaFmnistArch&,
                                                                          const nn::BasicSequential<float>&,
                                                                          const std::vector<Morphism>&, Rng&);
extern template std::shared_ptr<nn::BasicSequential<double>> morph_network(const space::OfaFmnistArch&,
                                                                           const nn::BasicSequential<double>&,
                                                                           const std::vector<Morphism>&, Rng&);

}  // namespace hwnas::inherit
