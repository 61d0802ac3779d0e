// Fully connected layers as GEMMs (Eigen), cut into row or column tiles that
// run in parallel and never share an output element.

#include <Eigen/Core>

#include "hwnas/core/detail/conv_kernels.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::detail {
namespace {

/// Runs `body(first, count)` over tiles of [0, total) in parallel, where the
/// tiling depends only on the sizes (so results do not depend on the thread
/// count) and each item costs `work_per_item`.
template <class Body>
void for_each_tile(std::int64_t total, std::int64_t work_per_item, Body&& body) {
  const std::int64_t tiles = task_pieces(1, total, work_per_item);
  parallel_for(0, tiles, task_grain(work_per_item * total / tiles), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t tile = lo; tile < hi; ++tile) {
      const std::int64_t first = total * tile / tiles;
      body(first, total * (tile + 1) / tiles - first);
    }
  });
}

}  // namespace

LinearGeometry linear_geometry(const Shape& input, const Shape& weight, const Shape* bias) {
  HWNAS_CHECK_SHAPE(input.rank() == 2, "linear: expected a [batch, in_features] input, got {}", input);
  HWNAS_CHECK_SHAPE(weight.rank() == 2, "linear: expected an [out_features, in_features] weight, got {}", weight);
  HWNAS_CHECK_SHAPE(input[1] == weight[1], "linear: input {} has {} features but weight {} expects {}", input, input[1],
                    weight, weight[1]);
  if (bias != nullptr) {
    HWNAS_CHECK_SHAPE(*bias == Shape{weight[0]}, "linear: bias {} does not match the {} outputs of weight {}", *bias,
                      weight[0], weight);
  }
  return {input[0], input[1], weight[0]};
}

template <Scalar T>
void linear_forward(const LinearGeometry& g, const T* input, const T* weight, const T* bias, T* output) {
  const auto w = matrix_view(weight, g.out_features, g.in_features, g.in_features);
  for_each_tile(g.batch, g.in_features * g.out_features, [&](std::int64_t first, std::int64_t rows) {
    auto out = matrix_view(output + first * g.out_features, rows, g.out_features, g.out_features);
    const auto x = matrix_view(input + first * g.in_features, rows, g.in_features, g.in_features);
    if (bias != nullptr) {
      out.rowwise() = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias, g.out_features);
      out.noalias() += x * w.transpose();
    } else {
      out.noalias() = x * w.transpose();
    }
  });
}

template <Scalar T>
void linear_backward_input(const LinearGeometry& g, const T* grad_output, const T* weight, T* grad_input) {
  const auto w = matrix_view(weight, g.out_features, g.in_features, g.in_features);
  for_each_tile(g.batch, g.in_features * g.out_features, [&](std::int64_t first, std::int64_t rows) {
    matrix_view(grad_input + first * g.in_features, rows, g.in_features, g.in_features).noalias() +=
        matrix_view(grad_output + first * g.out_features, rows, g.out_features, g.out_features) * w;
  });
}

template <Scalar T>
void linear_backward_weight(const LinearGeometry& g, const T* grad_output, const T* input, T* grad_weight) {
  const auto grad_out = matrix_view(grad_output, g.batch, g.out_features, g.out_features);
  for_each_tile(g.in_features, g.batch * g.out_features, [&](std::int64_t first, std::int64_t cols) {
    matrix_view(grad_weight + first, g.out_features, cols, g.in_features).noalias() +=
        grad_out.transpose() * matrix_view(input + first, g.batch, cols, g.in_features);
  });
}

template <Scalar T>
void linear_backward_bias(const LinearGeometry& g, const T* grad_output, T* grad_bias) {
  Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(grad_bias, g.out_features) +=
      matrix_view(grad_output, g.batch, g.out_features, g.out_features).colwise().sum();
}

#define HWNAS_INSTANTIATE_LINEAR(T)                                                         \
  template void linear_forward<T>(const LinearGeometry&, const T*, const T*, const T*, T*); \
  template void linear_backward_input<T>(const LinearGeometry&, const T*, const T*, T*);    \
  template void linear_backward_weight<T>(const LinearGeometry&, const T*, const T*, T*);   \
  template void linear_backward_bias<T>(const LinearGeometry&, const T*, T*);

HWNAS_INSTANTIATE_LINEAR(float)
HWNAS_INSTANTIATE_LINEAR(double)

#undef HWNAS_INSTANTIATE_LINEAR

}  // namespace hwnas::detail
