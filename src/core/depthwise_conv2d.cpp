// Direct depthwise convolution (one k x k filter per channel). im2col would
// copy every input value k*k times for a single multiply each; this kernel
// instead runs channels across SIMD lanes.
//
// A task takes a group of L channels (L = lanes of Eigen's widest packet,
// 16 floats with AVX-512) and repacks them "pixel-major": one aligned packet
// per pixel holding that pixel of all L channels, inside a zero border for
// the padding. Every kernel tap is then one aligned packet FMA per output
// pixel, whatever the stride, with no lanes wasted on row ends; a register
// block of up to 8 neighbouring output pixels shares each weight packet. The
// repacking is a square in-register transpose per L pixels.
//
// Scratch buffers are zeroed once per task: every channel group writes the
// same positions (the image inside its border), so the border stays zero. A
// last, partial group leaves values of the previous group in its unused
// lanes; those lanes are never written back.

#include <algorithm>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "hwnas/core/detail/conv_kernels.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::detail {
namespace {

// Packet types carry alignment attributes that GCC reports as dropped when
// they become template arguments (of PacketBlock here); the buffers below
// are aligned for them regardless.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"

template <class T>
using Packet = typename Eigen::internal::packet_traits<T>::type;
template <class T>
constexpr std::int64_t packet_lanes = Eigen::internal::unpacket_traits<Packet<T>>::size;

/// Calls `body(std::integral_constant<int, Size>{}, first)` with the compile-time
/// value of `size` (1 to Most), so that loops over a register block unroll.
template <int Most, class Body>
void with_block_size(std::int64_t size, std::int64_t first, Body& body) {
  if constexpr (Most > 1) {
    if (size < Most) {
      with_block_size<Most - 1>(size, first, body);
      return;
    }
  }
  body(std::integral_constant<int, Most>{}, first);
}

/// Calls `body(std::integral_constant<int, N>{}, first)` for groups of N
/// consecutive items covering [0, count), N at most 8 and the groups as even
/// as possible. Each item of a group gets its own accumulator register: eight
/// independent FMA chains cover the FMA latency, a short leftover group would not.
template <class Body>
void for_each_register_group(std::int64_t count, Body&& body) {
  constexpr int most = 8;
  const std::int64_t groups = (count + most - 1) / most;
  std::int64_t first = 0;
  for (std::int64_t group = 0; group < groups; ++group) {
    const std::int64_t size = count * (group + 1) / groups - first;
    with_block_size<most>(size, first, body);
    first += size;
  }
}

/// Writes `count` (at most L) planes of `rows x cols` pixels, plane i at
/// `planes + i * plane_stride`, as pixel-major packets: pixel (r, c) goes to
/// packet `origin + r * row_stride + c` of `packets`. Lanes past `count` are left alone.
template <class T>
void pack(const T* planes, std::int64_t plane_stride, std::int64_t count, std::int64_t rows, std::int64_t cols,
          T* packets, std::int64_t origin, std::int64_t row_stride) {
  using namespace Eigen::internal;
  constexpr std::int64_t L = packet_lanes<T>;
  const std::int64_t pixels = rows * cols;
  if (count < L || pixels < L) {
    for (std::int64_t p = 0; p < pixels; ++p) {
      T* at = packets + (origin + p / cols * row_stride + p % cols) * L;
      for (std::int64_t lane = 0; lane < count; ++lane) at[lane] = planes[lane * plane_stride + p];
    }
    return;
  }
  // L pixels at a time, transposed in registers. A last partial chunk is
  // moved back to end at the last pixel, writing a few pixels twice.
  for (std::int64_t chunk = 0; chunk < pixels; chunk += L) {
    const std::int64_t p = std::min(chunk, pixels - L);
    PacketBlock<Packet<T>> block;
    for (std::int64_t lane = 0; lane < L; ++lane)
      block.packet[lane] = ploadu<Packet<T>>(planes + lane * plane_stride + p);
    ptranspose(block);
    std::int64_t r = p / cols;
    std::int64_t c = p % cols;
    for (std::int64_t j = 0; j < L; ++j) {
      pstore(packets + (origin + r * row_stride + c) * L, block.packet[j]);
      if (++c == cols) {
        c = 0;
        ++r;
      }
    }
  }
}

/// The reverse of `pack` for `pixels` consecutive packets without border:
/// plane i (at `planes + i * plane_stride`) receives lane i, or adds it with `Add`.
template <bool Add, class T>
void unpack(const T* packets, std::int64_t count, std::int64_t pixels, T* planes, std::int64_t plane_stride) {
  using namespace Eigen::internal;
  constexpr std::int64_t L = packet_lanes<T>;
  if (count < L || pixels < L) {
    for (std::int64_t p = 0; p < pixels; ++p) {
      for (std::int64_t lane = 0; lane < count; ++lane) {
        T& to = planes[lane * plane_stride + p];
        to = Add ? to + packets[p * L + lane] : packets[p * L + lane];
      }
    }
    return;
  }
  for (std::int64_t chunk = 0; chunk < pixels; chunk += L) {
    // As in `pack`, a last partial chunk ends at the last pixel; when adding,
    // the pixels it shares with the previous chunk must not be added twice.
    const std::int64_t p = std::min(chunk, pixels - L);
    const Packet<T> done = pcmp_lt(plset<Packet<T>>(T{0}), pset1<Packet<T>>(static_cast<T>(chunk - p)));
    PacketBlock<Packet<T>> block;
    for (std::int64_t j = 0; j < L; ++j) block.packet[j] = pload<Packet<T>>(packets + (p + j) * L);
    ptranspose(block);
    for (std::int64_t lane = 0; lane < L; ++lane) {
      T* to = planes + lane * plane_stride + p;
      if constexpr (Add) {
        const Packet<T> fresh = pselect(done, pset1<Packet<T>>(T{0}), block.packet[lane]);
        pstoreu(to, padd(ploadu<Packet<T>>(to), fresh));
      } else {
        pstoreu(to, block.packet[lane]);
      }
    }
  }
}

/// Sizes shared by the three kernels.
struct PackedGeometry {
  PackedGeometry(const Conv2dGeometry& geometry, std::int64_t lane_count)
      : g(geometry),
        lanes(lane_count),
        groups((geometry.in_channels + lane_count - 1) / lane_count),
        padded_width(geometry.in_width + 2 * geometry.padding),
        padded_size((geometry.in_height + 2 * geometry.padding) * padded_width),
        input_origin(geometry.padding * padded_width + geometry.padding) {}

  const Conv2dGeometry& g;
  std::int64_t lanes;
  std::int64_t groups;        ///< Channel groups of `lanes` channels (the last may hold fewer).
  std::int64_t padded_width;  ///< Input width with the padding on both sides.
  std::int64_t padded_size;   ///< Pixels of the padded input.
  std::int64_t input_origin;  ///< Packet of input pixel (0, 0) inside the padded input.

  [[nodiscard]] std::int64_t first_channel(std::int64_t group) const { return group * lanes; }
  [[nodiscard]] std::int64_t channel_count(std::int64_t group) const {
    return std::min(lanes, g.in_channels - group * lanes);
  }

  /// Packs the input planes of channel group `group` of image `n` into `padded`.
  template <class T>
  void pack_input(const T* input, std::int64_t n, std::int64_t group, T* padded) const {
    pack(input + (n * g.in_channels + first_channel(group)) * g.in_plane(), g.in_plane(), channel_count(group),
         g.in_height, g.in_width, padded, input_origin, padded_width);
  }

  /// Packs the weights of channel group `group`: one packet per tap.
  template <class T>
  void pack_weights(const T* weight, std::int64_t group, T* packets) const {
    if (channel_count(group) < lanes) std::fill(packets, packets + g.taps() * lanes, T{0});
    pack(weight + first_channel(group) * g.taps(), g.taps(), channel_count(group), 1, g.taps(), packets, 0, g.taps());
  }
};

/// Output pixels (oy, ox0 .. ox0 + Block - 1) of one channel group.
template <int Block, class T>
void forward_block(const PackedGeometry& pg, const T* in, const T* w, const Packet<T>& bias, std::int64_t oy,
                   std::int64_t ox0, T* out) {
  using namespace Eigen::internal;
  constexpr std::int64_t L = packet_lanes<T>;
  const Conv2dGeometry& g = pg.g;
  const std::int64_t step = g.stride * L;
  Packet<T> acc[Block];
  for (int r = 0; r < Block; ++r) acc[r] = bias;
  for (std::int64_t ky = 0; ky < g.kernel_height; ++ky) {
    const T* row = in + ((oy * g.stride + ky) * pg.padded_width + ox0 * g.stride) * L;
    for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) {
      const Packet<T> weight = pload<Packet<T>>(w + (ky * g.kernel_width + kx) * L);
      const T* at = row + kx * L;
      for (int r = 0; r < Block; ++r) acc[r] = pmadd(weight, pload<Packet<T>>(at + r * step), acc[r]);
    }
  }
  for (int r = 0; r < Block; ++r) pstore(out + (oy * g.out_width + ox0 + r) * L, acc[r]);
}

/// Input-gradient pixels (iy, ix0 + j * stride) for j in [j0, j0 + Block):
/// each gathers weight * output gradient over the taps that reached it.
/// `grad_out` holds the output gradient with `margin` zero pixels left of
/// each row (and enough right of it), so out-of-range columns read zero.
template <int Block, class T>
void backward_input_block(const PackedGeometry& pg, const T* grad_out, std::int64_t row_width, std::int64_t margin,
                          const T* w, std::int64_t iy, std::int64_t ix0, std::int64_t j0, T* grad_in) {
  using namespace Eigen::internal;
  constexpr std::int64_t L = packet_lanes<T>;
  const Conv2dGeometry& g = pg.g;
  const std::int64_t s = g.stride;
  const std::int64_t y = iy + g.padding;
  const std::int64_t x = ix0 + g.padding;
  Packet<T> acc[Block];
  for (int r = 0; r < Block; ++r) acc[r] = pset1<Packet<T>>(T{0});
  // Only taps with ky = y and kx = x (mod s) land on this row and these
  // columns; each step of s along a tap axis is one output row or column back.
  for (std::int64_t ky = y % s, oy = y / s; ky < g.kernel_height && oy >= 0; ky += s, --oy) {
    if (oy >= g.out_height) continue;
    const T* row = grad_out + (oy * row_width + margin + j0) * L;
    for (std::int64_t kx = x % s, ox = x / s; kx < g.kernel_width; kx += s, --ox) {
      const Packet<T> weight = pload<Packet<T>>(w + (ky * g.kernel_width + kx) * L);
      const T* at = row + ox * L;
      for (int r = 0; r < Block; ++r) acc[r] = pmadd(weight, pload<Packet<T>>(at + r * L), acc[r]);
    }
  }
  for (int r = 0; r < Block; ++r) pstore(grad_in + (iy * g.in_width + ix0 + (j0 + r) * s) * L, acc[r]);
}

/// Adds to `sums` (one packet per tap) the correlation of the output gradient
/// with the padded input for taps [t0, t0 + Taps); `offsets` locates each tap.
template <int Taps, class T>
void backward_weight_block(const PackedGeometry& pg, const T* in, const T* grad_out,
                           const std::vector<std::int64_t>& offsets, std::int64_t t0, T* sums) {
  using namespace Eigen::internal;
  constexpr std::int64_t L = packet_lanes<T>;
  const Conv2dGeometry& g = pg.g;
  Packet<T> acc[Taps];
  for (int t = 0; t < Taps; ++t) acc[t] = pset1<Packet<T>>(T{0});
  for (std::int64_t oy = 0; oy < g.out_height; ++oy) {
    for (std::int64_t ox = 0; ox < g.out_width; ++ox) {
      const Packet<T> grad = pload<Packet<T>>(grad_out + (oy * g.out_width + ox) * L);
      const T* base = in + (oy * pg.padded_width + ox) * g.stride * L;
      for (int t = 0; t < Taps; ++t) acc[t] = pmadd(grad, pload<Packet<T>>(base + offsets[t0 + t]), acc[t]);
    }
  }
  for (int t = 0; t < Taps; ++t) {
    T* sum = sums + (t0 + t) * L;
    pstore(sum, padd(pload<Packet<T>>(sum), acc[t]));
  }
}

#pragma GCC diagnostic pop

std::int64_t plane_grain(const Conv2dGeometry& g, std::int64_t lane_count) {
  return task_grain(g.out_plane() * g.taps() * lane_count);
}

}  // namespace

template <Scalar T>
void depthwise_conv2d_forward(const Conv2dGeometry& g, const T* input, const T* weight, const T* bias, T* output) {
  constexpr std::int64_t L = packet_lanes<T>;
  const PackedGeometry pg(g, L);
  parallel_for(0, g.batch * pg.groups, plane_grain(g, L), [&](std::int64_t lo, std::int64_t hi) {
    KernelBuffer<T> in(pg.padded_size * L, T{0});
    KernelBuffer<T> out(g.out_plane() * L, T{0});
    KernelBuffer<T> w(g.taps() * L, T{0});
    KernelBuffer<T> b(L, T{0});
    for (std::int64_t task = lo; task < hi; ++task) {
      const std::int64_t n = task / pg.groups;
      const std::int64_t group = task % pg.groups;
      pg.pack_input(input, n, group, in.data());
      pg.pack_weights(weight, group, w.data());
      if (bias != nullptr) std::copy_n(bias + pg.first_channel(group), pg.channel_count(group), b.data());
      const auto bias_packet = Eigen::internal::pload<Packet<T>>(b.data());
      for (std::int64_t oy = 0; oy < g.out_height; ++oy) {
        for_each_register_group(g.out_width, [&](auto block, std::int64_t ox0) {
          forward_block<decltype(block)::value>(pg, in.data(), w.data(), bias_packet, oy, ox0, out.data());
        });
      }
      unpack<false>(out.data(), pg.channel_count(group), g.out_plane(),
                    output + (n * g.in_channels + pg.first_channel(group)) * g.out_plane(), g.out_plane());
    }
  });
}

template <Scalar T>
void depthwise_conv2d_backward_input(const Conv2dGeometry& g, const T* grad_output, const T* weight, T* grad_input) {
  constexpr std::int64_t L = packet_lanes<T>;
  const PackedGeometry pg(g, L);
  const std::int64_t s = g.stride;
  // Output-gradient columns that input columns reach, from -(kw-1)/s to (padded width - 1)/s.
  const std::int64_t margin = (g.kernel_width - 1 + s - 1) / s;
  const std::int64_t row_width = margin + std::max(g.out_width, (pg.padded_width - 1) / s + 1);
  parallel_for(0, g.batch * pg.groups, plane_grain(g, L), [&](std::int64_t lo, std::int64_t hi) {
    KernelBuffer<T> grad_out(g.out_height * row_width * L, T{0});
    KernelBuffer<T> grad_in(g.in_plane() * L, T{0});
    KernelBuffer<T> w(g.taps() * L, T{0});
    for (std::int64_t task = lo; task < hi; ++task) {
      const std::int64_t n = task / pg.groups;
      const std::int64_t group = task % pg.groups;
      const std::int64_t channels = pg.channel_count(group);
      const std::int64_t plane_offset = n * g.in_channels + pg.first_channel(group);
      pack(grad_output + plane_offset * g.out_plane(), g.out_plane(), channels, g.out_height, g.out_width,
           grad_out.data(), margin, row_width);
      pg.pack_weights(weight, group, w.data());
      for (std::int64_t iy = 0; iy < g.in_height; ++iy) {
        // Input columns whose padded position has the same remainder modulo
        // the stride meet the same taps; each such class is one strided row.
        for (std::int64_t phase = 0; phase < s; ++phase) {
          const std::int64_t ix0 = ((phase - g.padding) % s + s) % s;
          const std::int64_t count = ix0 < g.in_width ? (g.in_width - ix0 + s - 1) / s : 0;
          for_each_register_group(count, [&](auto block, std::int64_t j0) {
            backward_input_block<decltype(block)::value>(pg, grad_out.data(), row_width, margin, w.data(), iy, ix0, j0,
                                                         grad_in.data());
          });
        }
      }
      unpack<true>(grad_in.data(), channels, g.in_plane(), grad_input + plane_offset * g.in_plane(), g.in_plane());
    }
  });
}

template <Scalar T>
void depthwise_conv2d_backward_weight(const Conv2dGeometry& g, const T* grad_output, const T* input, T* grad_weight) {
  // Parallel over channel groups, each summing over the batch itself: no
  // shared accumulators, and the order of every sum is fixed.
  constexpr std::int64_t L = packet_lanes<T>;
  const PackedGeometry pg(g, L);
  std::vector<std::int64_t> offsets;
  for (std::int64_t ky = 0; ky < g.kernel_height; ++ky) {
    for (std::int64_t kx = 0; kx < g.kernel_width; ++kx) offsets.push_back((ky * pg.padded_width + kx) * L);
  }
  parallel_for(0, pg.groups, task_grain(g.batch * g.out_plane() * g.taps() * L), [&](std::int64_t lo, std::int64_t hi) {
    KernelBuffer<T> in(pg.padded_size * L, T{0});
    KernelBuffer<T> grad_out(g.out_plane() * L, T{0});
    KernelBuffer<T> sums(g.taps() * L, T{0});
    for (std::int64_t group = lo; group < hi; ++group) {
      const std::int64_t channels = pg.channel_count(group);
      std::fill(sums.begin(), sums.end(), T{0});
      for (std::int64_t n = 0; n < g.batch; ++n) {
        pg.pack_input(input, n, group, in.data());
        pack(grad_output + (n * g.in_channels + pg.first_channel(group)) * g.out_plane(), g.out_plane(), channels,
             g.out_height, g.out_width, grad_out.data(), 0, g.out_width);
        for_each_register_group(g.taps(), [&](auto taps, std::int64_t t0) {
          backward_weight_block<decltype(taps)::value>(pg, in.data(), grad_out.data(), offsets, t0, sums.data());
        });
      }
      T* grad_w = grad_weight + pg.first_channel(group) * g.taps();
      for (std::int64_t c = 0; c < channels; ++c) {
        for (std::int64_t t = 0; t < g.taps(); ++t) grad_w[c * g.taps() + t] += sums[t * L + c];
      }
    }
  });
}

#define HWNAS_INSTANTIATE_DEPTHWISE(T)                                                                \
  template void depthwise_conv2d_forward<T>(const Conv2dGeometry&, const T*, const T*, const T*, T*); \
  template void depthwise_conv2d_backward_input<T>(const Conv2dGeometry&, const T*, const T*, T*);    \
  template void depthwise_conv2d_backward_weight<T>(const Conv2dGeometry&, const T*, const T*, T*);

HWNAS_INSTANTIATE_DEPTHWISE(float)
HWNAS_INSTANTIATE_DEPTHWISE(double)

#undef HWNAS_INSTANTIATE_DEPTHWISE

}  // namespace hwnas::detail
