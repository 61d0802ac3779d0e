#pragma once
/// \file
/// The function-preserving widening of Net2Net (Chen et al., ICLR 2016) on
/// tensors: a layer of `old` units grows to `new` units, new unit j copying
/// old unit g(j), where g(j) = j for the old units and a seeded random old
/// unit for each extra one. The producing layer's rows (weights, biases,
/// batch-norm scale, shift and running statistics) are copied by g; the
/// consuming layer's input columns are copied by g and divided by how many
/// units copy the same old one, so the sums it computes do not change:
///
///     const WideningMap map = widening_map(16, 24, rng);
///     const Tensor rows = widen_rows(conv_weight, map);                     // [24, in, k, k]
///     const Tensor cols = widen_columns(next_weight, map, Division::by_replicas);  // [out, 24, k, k]

#include <cstdint>
#include <vector>

#include "hwnas/core/random.hpp"
#include "hwnas/core/tensor.hpp"

namespace hwnas::inherit {

/// Which old unit each new unit copies, and how often each old unit is copied.
struct WideningMap {
  /// source[j] = g(j), the old unit new unit j copies; one entry per new unit.
  std::vector<std::int64_t> source;
  /// replicas[i] = the number of new units copying old unit i (at least 1).
  std::vector<std::int64_t> replicas;

  [[nodiscard]] std::int64_t old_width() const { return static_cast<std::int64_t>(replicas.size()); }
  [[nodiscard]] std::int64_t new_width() const { return static_cast<std::int64_t>(source.size()); }
};

/// g(j) = j for j < old_width, each extra unit a uniform draw from `rng`.
/// ConfigError unless 1 <= old_width <= new_width.
[[nodiscard]] WideningMap widening_map(std::int64_t old_width, std::int64_t new_width, Rng& rng);

/// Whether copied input columns are divided by their replica count: yes for
/// a layer that sums over its inputs, no for a per-channel (depthwise) one.
enum class Division { none, by_replicas };

/// `t` with its slices along axis 0 copied by the map: slice j of the result
/// is slice g(j) of `t`. ShapeError unless `t` has `map.old_width()` slices.
template <Scalar T>
[[nodiscard]] BasicTensor<T> widen_rows(const BasicTensor<T>& t, const WideningMap& map);

/// `t` (rank >= 2) with its slices along axis 1 copied by the map, each
/// old unit owning `block` consecutive slices (a channel flattened into
/// height x width features), divided by the replica count when asked.
/// ShapeError unless axis 1 has `map.old_width() * block` slices.
template <Scalar T>
[[nodiscard]] BasicTensor<T> widen_columns(const BasicTensor<T>& t, const WideningMap& map, Division division,
                                           std::int64_t block = 1);

/// `t` [out, in, k, k] zero-padded to [out, in, k + 2 * pad, k + 2 * pad]
/// around its centre: a larger convolution kernel that computes the same
/// function (with padding grown by `pad`). ConfigError for a negative pad,
/// ShapeError for a tensor that is not a square 4-D kernel.
template <Scalar T>
[[nodiscard]] BasicTensor<T> pad_kernel(const BasicTensor<T>& t, std::int64_t pad);

extern template BasicTensor<float> widen_rows(const BasicTensor<float>&, const WideningMap&);
extern template BasicTensor<double> widen_rows(const BasicTensor<double>&, const WideningMap&);
extern template BasicTensor<float> widen_columns(const BasicTensor<float>&, const WideningMap&, Division, std::int64_t);
extern template BasicTensor<double> widen_columns(const BasicTensor<double>&, const WideningMap&, Division,
                                                  std::int64_t);
extern template BasicTensor<float> pad_kernel(const BasicTensor<float>&, std::int64_t);
extern template BasicTensor<double> pad_kernel(const BasicTensor<double>&, std::int64_t);

}  // namespace hwnas::inherit
