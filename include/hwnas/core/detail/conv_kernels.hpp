#pragma once
/// \file
/// Compiled kernels behind `conv2d` and `linear` (instantiated for float and
/// double in src/core). Tensors are passed as raw contiguous row-major data;
/// the public ops have checked every shape before calling in here. Forward
/// kernels overwrite their output; backward kernels add to their gradient
/// buffer, as autograd accumulates.
///
/// Results never depend on the thread count: work is cut into pieces chosen
/// from the problem size alone, and partial sums are combined in a fixed order.

#include <algorithm>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "hwnas/core/shape.hpp"
#include "hwnas/core/tensor.hpp"

namespace hwnas::detail {

/// Every size a 2-D convolution kernel needs (NCHW input, OIHW weight).
struct Conv2dGeometry {
  std::int64_t batch = 0;
  std::int64_t in_channels = 0;
  std::int64_t in_height = 0;
  std::int64_t in_width = 0;
  std::int64_t out_channels = 0;
  std::int64_t kernel_height = 0;
  std::int64_t kernel_width = 0;
  std::int64_t out_height = 0;
  std::int64_t out_width = 0;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  std::int64_t groups = 1;

  [[nodiscard]] std::int64_t group_in_channels() const { return in_channels / groups; }
  [[nodiscard]] std::int64_t group_out_channels() const { return out_channels / groups; }
  [[nodiscard]] std::int64_t taps() const { return kernel_height * kernel_width; }
  /// Length of one im2col column: the weights of one output channel.
  [[nodiscard]] std::int64_t patch_size() const { return group_in_channels() * taps(); }
  [[nodiscard]] std::int64_t in_plane() const { return in_height * in_width; }
  [[nodiscard]] std::int64_t out_plane() const { return out_height * out_width; }
  /// One filter per channel: served by the direct depthwise kernel.
  [[nodiscard]] bool is_depthwise() const { return groups == in_channels && groups == out_channels; }
  /// A 1x1 conv whose input planes already are the im2col matrix.
  [[nodiscard]] bool is_pointwise() const {
    return kernel_height == 1 && kernel_width == 1 && stride == 1 && padding == 0;
  }
  /// Multiply-accumulates of one forward pass.
  [[nodiscard]] std::int64_t macs() const { return batch * out_channels * out_plane() * patch_size(); }
};

/// Validates a conv2d call and derives its geometry. `bias` may be null.
/// Throws ConfigError for bad stride/padding/groups and ShapeError for shapes that do not fit.
[[nodiscard]] Conv2dGeometry conv2d_geometry(const Shape& input, const Shape& weight, const Shape* bias,
                                             std::int64_t stride, std::int64_t padding, std::int64_t groups);

/// output = conv(input, weight) + bias; `bias` may be null.
template <Scalar T>
void conv2d_forward(const Conv2dGeometry& g, const T* input, const T* weight, const T* bias, T* output);
/// grad_input += d output / d input applied to grad_output.
template <Scalar T>
void conv2d_backward_input(const Conv2dGeometry& g, const T* grad_output, const T* weight, T* grad_input);
/// grad_weight += d output / d weight applied to grad_output.
template <Scalar T>
void conv2d_backward_weight(const Conv2dGeometry& g, const T* grad_output, const T* input, T* grad_weight);
/// grad_bias += grad_output summed over batch and space.
template <Scalar T>
void conv2d_backward_bias(const Conv2dGeometry& g, const T* grad_output, T* grad_bias);

/// The direct depthwise kernels `conv2d_*` dispatch to when `g.is_depthwise()`.
template <Scalar T>
void depthwise_conv2d_forward(const Conv2dGeometry& g, const T* input, const T* weight, const T* bias, T* output);
template <Scalar T>
void depthwise_conv2d_backward_input(const Conv2dGeometry& g, const T* grad_output, const T* weight, T* grad_input);
template <Scalar T>
void depthwise_conv2d_backward_weight(const Conv2dGeometry& g, const T* grad_output, const T* input, T* grad_weight);

/// Sizes of a fully connected layer: `[batch, in] x [out, in]^T -> [batch, out]`.
struct LinearGeometry {
  std::int64_t batch = 0;
  std::int64_t in_features = 0;
  std::int64_t out_features = 0;
};

/// Validates a linear call and derives its geometry. `bias` may be null.
[[nodiscard]] LinearGeometry linear_geometry(const Shape& input, const Shape& weight, const Shape* bias);

template <Scalar T>
void linear_forward(const LinearGeometry& g, const T* input, const T* weight, const T* bias, T* output);
template <Scalar T>
void linear_backward_input(const LinearGeometry& g, const T* grad_output, const T* weight, T* grad_input);
template <Scalar T>
void linear_backward_weight(const LinearGeometry& g, const T* grad_output, const T* input, T* grad_weight);
template <Scalar T>
void linear_backward_bias(const LinearGeometry& g, const T* grad_output, T* grad_bias);

/// Row-major matrix views over raw kernel data, with a row stride so that
/// blocks of a larger matrix (tiles, groups) can be used in place.
template <class T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MatrixView = Eigen::Map<RowMajorMatrix<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <class T>
using ConstMatrixView = Eigen::Map<const RowMajorMatrix<T>, Eigen::Unaligned, Eigen::OuterStride<>>;

/// A `rows x cols` block whose rows lie `row_stride` elements apart.
template <class T>
MatrixView<T> matrix_view(T* data, std::int64_t rows, std::int64_t cols, std::int64_t row_stride) {
  return MatrixView<T>(data, rows, cols, Eigen::OuterStride<>(row_stride));
}
template <class T>
ConstMatrixView<T> matrix_view(const T* data, std::int64_t rows, std::int64_t cols, std::int64_t row_stride) {
  return ConstMatrixView<T>(data, rows, cols, Eigen::OuterStride<>(row_stride));
}

/// Scratch memory of a kernel task, aligned for vector loads. Sized
/// construction leaves the elements unset; pass a value to fill them.
template <class T>
using KernelBuffer = std::vector<T, TensorAllocator<T>>;

/// Multiply-adds (or similar steps) worth handing to another thread: below
/// this, waking a pool thread costs about as much as it saves (measured: a
/// wake-up takes tens of microseconds on a virtual machine).
inline constexpr std::int64_t worthwhile_task_work = std::int64_t{1} << 21;

/// How many pieces to cut each of `outer` independent jobs into, each job
/// being `count` items of `work_per_item`, so that enough tasks exist to keep
/// a pool busy while every piece stays worth a thread. It depends on the
/// problem only, never on the thread count: results are the same whatever the
/// number of threads.
[[nodiscard]] inline std::int64_t task_pieces(std::int64_t outer, std::int64_t count, std::int64_t work_per_item) {
  constexpr std::int64_t target_tasks = 8;
  if (outer <= 0 || outer >= target_tasks || count <= 1) return 1;
  const std::int64_t wanted = (target_tasks + outer - 1) / outer;
  const std::int64_t affordable = count * work_per_item / worthwhile_task_work;
  return std::clamp<std::int64_t>(std::min(wanted, affordable), 1, count);
}

/// A parallel_for grain: how many tasks of `work_per_task` make a chunk worth
/// handing to another thread.
[[nodiscard]] inline std::int64_t task_grain(std::int64_t work_per_task) {
  const std::int64_t work = std::max<std::int64_t>(work_per_task, 1);
  return (worthwhile_task_work + work - 1) / work;
}

}  // namespace hwnas::detail
