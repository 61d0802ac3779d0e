// Dense and grouped 2-D convolution as im2col + GEMM (Eigen), with the
// shape checks shared by every conv2d call. Depthwise convolutions are sent
// to the direct kernels in depthwise_conv2d.cpp.

#include <algorithm>
#include <vector>

#include <Eigen/Core>

#include "hwnas/core/detail/conv_kernels.hpp"
#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::detail {
namespace {

/// Output positions [first, last) along one axis whose input position
/// `o * stride - padding + tap` lies inside [0, in).
struct InsideRange {
  std::int64_t first;
  std::int64_t last;
};

InsideRange inside_range(std::int64_t out, std::int64_t in, std::int64_t tap, std::int64_t stride,
                         std::int64_t padding) {
  const std::int64_t shift = padding - tap;
  const std::int64_t first = std::min(out, shift <= 0 ? 0 : (shift + stride - 1) / stride);
  const std::int64_t top = in - 1 + shift;
  const std::int64_t last = std::clamp(top < 0 ? 0 : top / stride + 1, first, out);
  return {first, last};
}

/// Stride 1 with output rows as wide as input rows (padding (k - 1) / 2 on
/// each side): each tap then reads the input at one constant offset from
/// the output pixel, so a whole plane is one run instead of a run per row.
bool same_width_unit_stride(const Conv2dGeometry& g) { return g.stride == 1 && g.out_width == g.in_width; }

/// For `same_width_unit_stride` geometries: one mask per kernel column kx
/// over every output pixel, nonzero where that tap's input column lies
/// inside the image (a run over the plane would otherwise wrap across rows).
template <class T>
KernelBuffer<T> column_masks(const Conv2dGeometry& g) {
  const std::int64_t pixels = g.out_plane();
  KernelBuffer<T> masks(g.kernel_width * pixels);
  for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) {
    const InsideRange xs = inside_range(g.out_width, g.in_width, kx, 1, g.padding);
    for (std::int64_t p = 0; p < pixels; ++p) {
      const std::int64_t ox = p % g.out_width;
      masks[kx * pixels + p] = ox >= xs.first && ox < xs.last ? T{1} : T{0};
    }
  }
  return masks;
}

/// Output pixels [first, last) of tap (ky, kx) in a `same_width_unit_stride`
/// geometry whose input pixel `p + offset` exists, within [begin, end).
struct TapRun {
  std::int64_t first;
  std::int64_t last;
  std::int64_t offset;
};

TapRun tap_run(const Conv2dGeometry& g, std::int64_t ky, std::int64_t kx, std::int64_t begin, std::int64_t end) {
  const InsideRange ys = inside_range(g.out_height, g.in_height, ky, 1, g.padding);
  const std::int64_t offset = (ky - g.padding) * g.in_width + kx - g.padding;
  const std::int64_t first = std::clamp(std::max(ys.first * g.out_width, -offset), begin, end);
  const std::int64_t last = std::clamp(std::min(ys.last * g.out_width, g.in_plane() - offset), first, end);
  return {first, last, offset};
}

/// `im2col` for `same_width_unit_stride` geometries; `masks` from `column_masks`.
template <class T>
void im2col_same_width(const Conv2dGeometry& g, const T* input, std::int64_t channels, std::int64_t pixel_begin,
                       std::int64_t pixel_end, const T* masks, T* col) {
  const std::int64_t cols = pixel_end - pixel_begin;
  for (std::int64_t c = 0; c < channels; ++c) {
    for (std::int64_t ky = 0; ky < g.kernel_height; ++ky) {
      for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) {
        const TapRun run = tap_run(g, ky, kx, pixel_begin, pixel_end);
        // row[i] is output pixel pixel_begin + i.
        T* __restrict row = col + ((c * g.kernel_height + ky) * g.kernel_width + kx) * cols;
        const T* __restrict src = input + c * g.in_plane();
        const T* __restrict keep = masks + kx * g.out_plane();
        std::fill(row, row + (run.first - pixel_begin), T{0});
        for (std::int64_t p = run.first; p < run.last; ++p) {
          row[p - pixel_begin] = keep[p] != T{0} ? src[p + run.offset] : T{0};
        }
        std::fill(row + (run.last - pixel_begin), row + cols, T{0});
      }
    }
  }
}

/// Writes output row `oy`, columns [ox_begin, ox_end), of one im2col row:
/// the input value tap (ky, kx) sees there, zero where it hangs over the
/// padding. `dst` receives column `ox_begin`. `Unit`: stride 1, where the
/// inside part is a contiguous run the compiler vectorises.
template <bool Unit, class T>
void im2col_row(const Conv2dGeometry& g, const T* __restrict plane, std::int64_t ky, std::int64_t kx,
                const InsideRange& ys, const InsideRange& xs, std::int64_t oy, std::int64_t ox_begin,
                std::int64_t ox_end, T* __restrict dst) {
  if (oy < ys.first || oy >= ys.last) {
    std::fill(dst, dst + (ox_end - ox_begin), T{0});
    return;
  }
  const std::int64_t s = Unit ? 1 : g.stride;
  const std::int64_t lo = std::clamp(xs.first, ox_begin, ox_end);
  const std::int64_t hi = std::clamp(xs.last, lo, ox_end);
  // src[i * s] is the input this tap sees at output column lo + i.
  const T* src = plane + (oy * s - g.padding + ky) * g.in_width + lo * s + kx - g.padding;
  const std::int64_t lead = lo - ox_begin;
  const std::int64_t inside = hi - lo;
  std::fill(dst, dst + lead, T{0});
  for (std::int64_t i = 0; i < inside; ++i) dst[lead + i] = src[i * s];
  std::fill(dst + lead + inside, dst + (ox_end - ox_begin), T{0});
}

/// Fills `col` (rows: `channels * taps`; columns: output pixels
/// [pixel_begin, pixel_end)) with the input value each kernel tap sees at
/// each output pixel, zero where the window hangs over the padding.
template <bool Unit, class T>
void im2col_impl(const Conv2dGeometry& g, const T* input, std::int64_t channels, std::int64_t pixel_begin,
                 std::int64_t pixel_end, T* col) {
  const std::int64_t cols = pixel_end - pixel_begin;
  const std::int64_t s = Unit ? 1 : g.stride;
  const std::int64_t ow = g.out_width;
  const std::int64_t first_row = pixel_begin / ow;
  const std::int64_t last_row = (pixel_end - 1) / ow;
  for (std::int64_t c = 0; c < channels; ++c) {
    const T* plane = input + c * g.in_plane();
    for (std::int64_t ky = 0; ky < g.kernel_height; ++ky) {
      const InsideRange ys = inside_range(g.out_height, g.in_height, ky, s, g.padding);
      for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) {
        const InsideRange xs = inside_range(g.out_width, g.in_width, kx, s, g.padding);
        T* row = col + ((c * g.kernel_height + ky) * g.kernel_width + kx) * cols;
        for (std::int64_t oy = first_row; oy <= last_row; ++oy) {
          const std::int64_t ox_begin = oy == first_row ? pixel_begin - oy * ow : 0;
          const std::int64_t ox_end = oy == last_row ? pixel_end - oy * ow : ow;
          im2col_row<Unit>(g, plane, ky, kx, ys, xs, oy, ox_begin, ox_end, row + (oy * ow + ox_begin - pixel_begin));
        }
      }
    }
  }
}

template <class T>
void im2col(const Conv2dGeometry& g, const T* input, std::int64_t channels, std::int64_t pixel_begin,
            std::int64_t pixel_end, T* col) {
  if (pixel_end <= pixel_begin) return;
  if (same_width_unit_stride(g)) {
    im2col_same_width(g, input, channels, pixel_begin, pixel_end, column_masks<T>(g).data(), col);
  } else if (g.stride == 1) {
    im2col_impl<true>(g, input, channels, pixel_begin, pixel_end, col);
  } else {
    im2col_impl<false>(g, input, channels, pixel_begin, pixel_end, col);
  }
}

/// The adjoint of `im2col` over all output pixels: adds each entry of `col`
/// back onto the input position it was read from.
template <bool Unit, class T>
void col2im_add_impl(const Conv2dGeometry& g, const T* col, std::int64_t channels, T* grad_input) {
  const std::int64_t cols = g.out_plane();
  const std::int64_t s = Unit ? 1 : g.stride;
  for (std::int64_t c = 0; c < channels; ++c) {
    T* plane = grad_input + c * g.in_plane();
    for (std::int64_t ky = 0; ky < g.kernel_height; ++ky) {
      const InsideRange ys = inside_range(g.out_height, g.in_height, ky, s, g.padding);
      for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) {
        const InsideRange xs = inside_range(g.out_width, g.in_width, kx, s, g.padding);
        const T* row = col + ((c * g.kernel_height + ky) * g.kernel_width + kx) * cols;
        for (std::int64_t oy = ys.first; oy < ys.last; ++oy) {
          T* __restrict dst = plane + (oy * s - g.padding + ky) * g.in_width;
          const T* __restrict src = row + oy * g.out_width;
          for (std::int64_t ox = xs.first; ox < xs.last; ++ox) dst[ox * s + kx - g.padding] += src[ox];
        }
      }
    }
  }
}

/// `col2im_add` for `same_width_unit_stride` geometries.
template <class T>
void col2im_add_same_width(const Conv2dGeometry& g, const T* col, std::int64_t channels, T* grad_input) {
  const std::int64_t pixels = g.out_plane();
  const KernelBuffer<T> masks = column_masks<T>(g);
  for (std::int64_t c = 0; c < channels; ++c) {
    for (std::int64_t ky = 0; ky < g.kernel_height; ++ky) {
      for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) {
        const TapRun run = tap_run(g, ky, kx, 0, pixels);
        const T* __restrict row = col + ((c * g.kernel_height + ky) * g.kernel_width + kx) * pixels;
        T* __restrict dst = grad_input + c * g.in_plane();
        const T* __restrict keep = masks.data() + kx * pixels;
        for (std::int64_t p = run.first; p < run.last; ++p) {
          dst[p + run.offset] += keep[p] != T{0} ? row[p] : T{0};
        }
      }
    }
  }
}

template <class T>
void col2im_add(const Conv2dGeometry& g, const T* col, std::int64_t channels, T* grad_input) {
  if (same_width_unit_stride(g)) {
    col2im_add_same_width(g, col, channels, grad_input);
  } else if (g.stride == 1) {
    col2im_add_impl<true>(g, col, channels, grad_input);
  } else {
    col2im_add_impl<false>(g, col, channels, grad_input);
  }
}

/// The rows [first, last) of `count`, for piece `piece` of `pieces`.
struct Slice {
  std::int64_t first;
  std::int64_t last;
  [[nodiscard]] std::int64_t size() const { return last - first; }
};

Slice slice(std::int64_t count, std::int64_t piece, std::int64_t pieces) {
  return {count * piece / pieces, count * (piece + 1) / pieces};
}

/// The widest slice `count` is cut into, for sizing per-task buffers.
std::int64_t widest_slice(std::int64_t count, std::int64_t pieces) { return (count + pieces - 1) / pieces; }

/// Partial weight gradients summed separately (then in a fixed order), so
/// that threads need not share one accumulator: only as many as the work
/// can keep busy, and bounded in number and memory.
std::int64_t weight_partials(const Conv2dGeometry& g, std::size_t scalar_bytes) {
  constexpr std::int64_t most_partials = 8;
  constexpr std::int64_t memory_budget = std::int64_t{64} << 20;
  const std::int64_t weight_bytes = g.out_channels * g.patch_size() * static_cast<std::int64_t>(scalar_bytes);
  const std::int64_t busy = g.macs() / worthwhile_task_work;
  return std::clamp(std::min({most_partials, memory_budget / weight_bytes, busy}), std::int64_t{1}, g.batch);
}

}  // namespace

Conv2dGeometry conv2d_geometry(const Shape& input, const Shape& weight, const Shape* bias, std::int64_t stride,
                               std::int64_t padding, std::int64_t groups) {
  HWNAS_CHECK_CONFIG(stride >= 1, "conv2d: stride must be at least 1, got {}", stride);
  HWNAS_CHECK_CONFIG(padding >= 0, "conv2d: padding must not be negative, got {}", padding);
  HWNAS_CHECK_CONFIG(groups >= 1, "conv2d: groups must be at least 1, got {}", groups);
  HWNAS_CHECK_SHAPE(input.rank() == 4, "conv2d: expected NCHW input, got {}", input);
  HWNAS_CHECK_SHAPE(weight.rank() == 4, "conv2d: expected a [out, in/groups, kh, kw] weight, got {}", weight);
  HWNAS_CHECK_SHAPE(weight.numel() > 0, "conv2d: weight {} has an empty dimension", weight);
  HWNAS_CHECK_SHAPE(input[1] % groups == 0, "conv2d: the {} channels of input {} do not split into {} groups", input[1],
                    input, groups);
  HWNAS_CHECK_SHAPE(weight[0] % groups == 0, "conv2d: the {} output channels of weight {} do not split into {} groups",
                    weight[0], weight, groups);
  HWNAS_CHECK_SHAPE(input[1] == weight[1] * groups,
                    "conv2d: input {} has {} channels but weight {} with {} "
                    "groups expects {}",
                    input, input[1], weight, groups, weight[1] * groups);
  HWNAS_CHECK_SHAPE(input[2] + 2 * padding >= weight[2] && input[3] + 2 * padding >= weight[3],
                    "conv2d: kernel {}x{} of weight {} is larger than input {} padded by {}", weight[2], weight[3],
                    weight, input, padding);
  if (bias != nullptr) {
    HWNAS_CHECK_SHAPE(*bias == Shape{weight[0]}, "conv2d: bias {} does not match the {} output channels of weight {}",
                      *bias, weight[0], weight);
  }
  Conv2dGeometry g;
  g.batch = input[0];
  g.in_channels = input[1];
  g.in_height = input[2];
  g.in_width = input[3];
  g.out_channels = weight[0];
  g.kernel_height = weight[2];
  g.kernel_width = weight[3];
  g.out_height = conv_output_size(g.in_height, g.kernel_height, stride, padding);
  g.out_width = conv_output_size(g.in_width, g.kernel_width, stride, padding);
  g.stride = stride;
  g.padding = padding;
  g.groups = groups;
  return g;
}

template <Scalar T>
void conv2d_forward(const Conv2dGeometry& g, const T* input, const T* weight, const T* bias, T* output) {
  if (g.is_depthwise()) {
    depthwise_conv2d_forward(g, input, weight, bias, output);
    return;
  }
  const std::int64_t pixels = g.out_plane();
  const std::int64_t patch = g.patch_size();
  const std::int64_t group_out = g.group_out_channels();
  // Small batches are cut along the output pixels too, so one image still
  // spreads over the pool; each tile builds only its own im2col columns.
  const std::int64_t tiles = task_pieces(g.batch, pixels, g.out_channels * patch);
  const std::int64_t tasks = g.batch * tiles;
  parallel_for(0, tasks, task_grain(g.out_channels * patch * pixels / tiles), [&](std::int64_t lo, std::int64_t hi) {
    KernelBuffer<T> col(g.is_pointwise() ? 0 : patch * widest_slice(pixels, tiles));
    for (std::int64_t task = lo; task < hi; ++task) {
      const std::int64_t n = task / tiles;
      const Slice tile = slice(pixels, task % tiles, tiles);
      for (std::int64_t group = 0; group < g.groups; ++group) {
        const T* x = input + (n * g.in_channels + group * g.group_in_channels()) * g.in_plane();
        if (!g.is_pointwise()) im2col(g, x, g.group_in_channels(), tile.first, tile.last, col.data());
        const auto patches = g.is_pointwise()
                                 ? matrix_view(x + tile.first, patch, tile.size(), g.in_plane())
                                 : matrix_view(static_cast<const T*>(col.data()), patch, tile.size(), tile.size());
        const std::int64_t first_out = group * group_out;
        auto out = matrix_view(output + (n * g.out_channels + first_out) * pixels + tile.first, group_out, tile.size(),
                               pixels);
        const auto w = matrix_view(weight + first_out * patch, group_out, patch, patch);
        if (bias != nullptr) {
          for (std::int64_t o = 0; o < group_out; ++o) out.row(o).setConstant(bias[first_out + o]);
          out.noalias() += w * patches;
        } else {
          out.noalias() = w * patches;
        }
      }
    }
  });
}

template <Scalar T>
void conv2d_backward_input(const Conv2dGeometry& g, const T* grad_output, const T* weight, T* grad_input) {
  if (g.is_depthwise()) {
    depthwise_conv2d_backward_input(g, grad_output, weight, grad_input);
    return;
  }
  const std::int64_t pixels = g.out_plane();
  const std::int64_t patch = g.patch_size();
  const std::int64_t group_out = g.group_out_channels();
  const std::int64_t group_in = g.group_in_channels();
  // Input channels are cut into blocks: a block's im2col rows scatter into
  // its own channels only, so blocks of one image can run in parallel.
  const std::int64_t blocks = task_pieces(g.batch * g.groups, group_in, group_out * g.taps() * pixels);
  const std::int64_t tasks = g.batch * g.groups * blocks;
  const std::int64_t grain = task_grain(g.out_channels * patch * pixels / (g.groups * blocks));
  parallel_for(0, tasks, grain, [&](std::int64_t lo, std::int64_t hi) {
    KernelBuffer<T> col(g.is_pointwise() ? 0 : widest_slice(group_in, blocks) * g.taps() * pixels);
    for (std::int64_t task = lo; task < hi; ++task) {
      const std::int64_t n = task / (g.groups * blocks);
      const std::int64_t group = task / blocks % g.groups;
      const Slice channels = slice(group_in, task % blocks, blocks);
      const std::int64_t rows = channels.size() * g.taps();
      const auto grad_out =
          matrix_view(grad_output + (n * g.out_channels + group * group_out) * pixels, group_out, pixels, pixels);
      const auto w =
          matrix_view(weight + group * group_out * patch + channels.first * g.taps(), group_out, rows, patch);
      T* grad_x = grad_input + (n * g.in_channels + group * group_in + channels.first) * g.in_plane();
      if (g.is_pointwise()) {
        matrix_view(grad_x, rows, pixels, pixels).noalias() += w.transpose() * grad_out;
      } else {
        matrix_view(col.data(), rows, pixels, pixels).noalias() = w.transpose() * grad_out;
        col2im_add(g, static_cast<const T*>(col.data()), channels.size(), grad_x);
      }
    }
  });
}

template <Scalar T>
void conv2d_backward_weight(const Conv2dGeometry& g, const T* grad_output, const T* input, T* grad_weight) {
  if (g.is_depthwise()) {
    depthwise_conv2d_backward_weight(g, grad_output, input, grad_weight);
    return;
  }
  if (g.batch == 0) return;
  const std::int64_t pixels = g.out_plane();
  const std::int64_t patch = g.patch_size();
  const std::int64_t group_out = g.group_out_channels();
  const std::int64_t group_in = g.group_in_channels();
  const std::int64_t weight_size = g.out_channels * patch;
  // The batch is cut into chunks, each summing into its own partial gradient
  // (chunk 0 straight into grad_weight); input-channel blocks split the
  // columns of the gradient, so blocks never share an accumulator.
  const std::int64_t chunks = weight_partials(g, sizeof(T));
  const std::int64_t blocks =
      task_pieces(chunks * g.groups, group_in, group_out * g.taps() * pixels * (g.batch / chunks));
  std::vector<KernelBuffer<T>> partials(static_cast<std::size_t>(chunks - 1), KernelBuffer<T>(weight_size, T{0}));
  const std::int64_t tasks = chunks * g.groups * blocks;
  parallel_for(0, tasks, task_grain(weight_size * pixels * g.batch / tasks), [&](std::int64_t lo, std::int64_t hi) {
    KernelBuffer<T> col(g.is_pointwise() ? 0 : widest_slice(group_in, blocks) * g.taps() * pixels);
    for (std::int64_t task = lo; task < hi; ++task) {
      const std::int64_t chunk = task / (g.groups * blocks);
      const std::int64_t group = task / blocks % g.groups;
      const Slice channels = slice(group_in, task % blocks, blocks);
      const std::int64_t rows = channels.size() * g.taps();
      T* sum = chunk == 0 ? grad_weight : partials[static_cast<std::size_t>(chunk - 1)].data();
      auto dest = matrix_view(sum + group * group_out * patch + channels.first * g.taps(), group_out, rows, patch);
      const Slice images = slice(g.batch, chunk, chunks);
      for (std::int64_t n = images.first; n < images.last; ++n) {
        const auto grad_out =
            matrix_view(grad_output + (n * g.out_channels + group * group_out) * pixels, group_out, pixels, pixels);
        const T* x = input + (n * g.in_channels + group * group_in + channels.first) * g.in_plane();
        if (!g.is_pointwise()) im2col(g, x, channels.size(), 0, pixels, col.data());
        const auto patches = g.is_pointwise() ? matrix_view(x, rows, pixels, pixels)
                                              : matrix_view(static_cast<const T*>(col.data()), rows, pixels, pixels);
        dest.noalias() += grad_out * patches.transpose();
      }
    }
  });
  using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
  for (const auto& partial : partials) {
    ArrayMap(grad_weight, weight_size) +=
        Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(partial.data(), weight_size);
  }
}

template <Scalar T>
void conv2d_backward_bias(const Conv2dGeometry& g, const T* grad_output, T* grad_bias) {
  const std::int64_t pixels = g.out_plane();
  parallel_for(0, g.out_channels, task_grain(g.batch * pixels), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t o = lo; o < hi; ++o) {
      T sum{0};
      for (std::int64_t n = 0; n < g.batch; ++n) {
        sum += Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(grad_output + (n * g.out_channels + o) * pixels,
                                                                    pixels)
                   .sum();
      }
      grad_bias[o] += sum;
    }
  });
}

#define HWNAS_INSTANTIATE_CONV2D(T)                                                         \
  template void conv2d_forward<T>(const Conv2dGeometry&, const T*, const T*, const T*, T*); \
  template void conv2d_backward_input<T>(const Conv2dGeometry&, const T*, const T*, T*);    \
  template void conv2d_backward_weight<T>(const Conv2dGeometry&, const T*, const T*, T*);   \
  template void conv2d_backward_bias<T>(const Conv2dGeometry&, const T*, T*);

HWNAS_INSTANTIATE_CONV2D(float)
HWNAS_INSTANTIATE_CONV2D(double)

#undef HWNAS_INSTANTIATE_CONV2D

}  // namespace hwnas::detail
