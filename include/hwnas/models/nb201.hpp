#pragma once
/// \file
/// NAS-Bench-201 networks (Dong & Yang, ICLR 2020): the TinyNetwork skeleton
/// around a searched cell (../shared/spec/spaces.md):
///
///     Conv3x3(in -> 16, pad 1, no bias) + BN
///     -> N cells at C = 16 -> reduction block -> N cells at 32 -> reduction -> N cells at 64
///     -> BN + ReLU -> global average pool -> Linear(64 -> classes)
///
/// A cell has 4 nodes; node 0 is its input and node j (1..3) is the sum of
/// op(i -> j)(node i) over i < j; node 3 is the output. The reduction block
/// is ResNet's basic block: ReLUConvBN 3x3 stride 2 -> ReLUConvBN 3x3, plus a
/// shortcut AvgPool(2, 2) -> Conv1x1 (no bias).

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/core/shape.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::models {

/// An edge's operation.
enum class Nb201Op { none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3 };

/// The five operations in the benchmark's order.
inline constexpr std::array<Nb201Op, 5> nb201_ops{Nb201Op::none, Nb201Op::skip_connect, Nb201Op::nor_conv_1x1,
                                                  Nb201Op::nor_conv_3x3, Nb201Op::avg_pool_3x3};

/// The benchmark's name: "none", "skip_connect", "nor_conv_1x1", ...
[[nodiscard]] std::string_view to_string(Nb201Op op);

/// Edge e of a cell runs from node `nb201_edges[e].from` to `.to`, in the
/// order of the benchmark's string: 0->1, 0->2, 1->2, 0->3, 1->3, 2->3.
struct Nb201Edge {
  int from;
  int to;
};
inline constexpr std::array<Nb201Edge, 6> nb201_edges{{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}};

using Nb201Cell = std::array<Nb201Op, 6>;

struct Nb201Config {
  Nb201Cell cell{};
  std::int64_t in_channels = 3;
  std::int64_t input_size = 32;
  std::int64_t classes = 10;
  /// Cells per stage (N) and the first stage's width (C).
  std::int64_t cells_per_stage = 5;
  std::int64_t width = 16;
  friend bool operator==(const Nb201Config&, const Nb201Config&) = default;
};

/// The network, zero weights. Children: `stem_conv`, `stem_bn`, `cells` (a
/// Sequential of cells and reduction blocks), `last_bn`, `last_act`, `pool`,
/// `flatten`, `classifier`.
template <Scalar T = float>
[[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> nb201_network(const Nb201Config& config);

extern template std::shared_ptr<nn::BasicSequential<float>> nb201_network(const Nb201Config&);
extern template std::shared_ptr<nn::BasicSequential<double>> nb201_network(const Nb201Config&);

/// Its layers: the stem, each cell and reduction block, the final BN + ReLU,
/// pooling and the classifier.
[[nodiscard]] std::vector<LayerSummary> nb201_summary(const Nb201Config& config);

}  // namespace hwnas::models
