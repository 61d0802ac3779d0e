#pragma once
/// \file
/// Shape ops: reshape, flatten, channel concatenation and slicing along one
/// axis, each with its gradient.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <ranges>
#include <span>
#include <vector>

#include "hwnas/core/autograd.hpp"

namespace hwnas {

namespace detail {

template <class V>
inline constexpr bool is_basic_variable_v = false;
template <Scalar T>
inline constexpr bool is_basic_variable_v<BasicVariable<T>> = true;

/// Product of `dims[first, last)`.
inline std::int64_t dims_product(std::span<const std::int64_t> dims, std::size_t first, std::size_t last) {
  return std::accumulate(dims.begin() + static_cast<std::ptrdiff_t>(first),
                         dims.begin() + static_cast<std::ptrdiff_t>(last), std::int64_t{1}, std::multiplies<>());
}

/// Copies (or, with `Accumulate`, adds) a slab of `length` positions along one
/// axis between two row-major tensors that agree on every other axis. Both are
/// viewed as [outer, axis, inner]; the slab starts at `src_start` of the
/// source's axis of size `src_axis` and lands at `dst_start` of the
/// destination's axis of size `dst_axis`. Narrowing, concatenation and their
/// gradients are all this one move.
template <bool Accumulate, Scalar T>
void move_axis_slab(const T* src, std::int64_t src_axis, std::int64_t src_start, T* dst, std::int64_t dst_axis,
                    std::int64_t dst_start, std::int64_t outer, std::int64_t length, std::int64_t inner) {
  const std::int64_t block = length * inner;
  if (block == 0) return;
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* from = src + (o * src_axis + src_start) * inner;
    T* to = dst + (o * dst_axis + dst_start) * inner;
    if constexpr (Accumulate) {
      for (std::int64_t i = 0; i < block; ++i) to[i] += from[i];
    } else {
      std::copy(from, from + block, to);
    }
  }
}

}  // namespace detail

/// The same elements under `shape`, which must have as many elements.
template <Scalar T>
BasicVariable<T> reshape(const BasicVariable<T>& x, Shape shape) {
  HWNAS_CHECK_SHAPE(shape.numel() == x.numel(), "reshape: cannot reshape {} ({} elements) to {} ({} elements)",
                    x.shape(), x.numel(), shape, shape.numel());
  // Row-major order is unchanged, so the gradient flows back element for element.
  return BasicVariable<T>::make_result("reshape", x.value().reshaped(std::move(shape)), {&x}, [](auto& node) {
    node.input_grad(0).array() += node.grad.array();
  });
}

/// [N, d1, d2, ...] -> [N, d1 * d2 * ...]; a rank-1 [N] becomes [N, 1].
template <Scalar T>
BasicVariable<T> flatten(const BasicVariable<T>& x) {
  HWNAS_CHECK_SHAPE(x.dim() >= 1, "flatten: needs at least one dimension, got shape {}", x.shape());
  const auto dims = x.shape().dims();
  return reshape(x, Shape{dims[0], detail::dims_product(dims, 1, dims.size())});
}

/// Concatenates [N, Ci, H, W] inputs along the channels into [N, sum Ci, H, W].
template <Scalar T>
BasicVariable<T> concat_channels(std::span<const BasicVariable<T>> xs) {
  HWNAS_CHECK_SHAPE(!xs.empty(), "concat_channels: needs at least one input");
  const Shape& first = xs[0].shape();
  HWNAS_CHECK_SHAPE(first.rank() == 4, "concat_channels: expected NCHW inputs, input 0 has shape {}", first);
  // Channel count and first output channel of each input.
  std::vector<std::int64_t> channels;
  std::vector<std::int64_t> offsets;
  std::vector<const BasicVariable<T>*> inputs;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Shape& s = xs[i].shape();
    HWNAS_CHECK_SHAPE(s.rank() == 4 && s[0] == first[0] && s[2] == first[2] && s[3] == first[3],
                      "concat_channels: input {} of shape {} does not match input 0 of shape {} in N, H and W", i,
                      s, first);
    channels.push_back(s[1]);
    offsets.push_back(total);
    inputs.push_back(&xs[i]);
    total += s[1];
  }
  const std::int64_t batch = first[0];
  const std::int64_t plane = first[2] * first[3];
  auto out = BasicTensor<T>::uninitialized(Shape{batch, total, first[2], first[3]});
  for (std::size_t i = 0; i < xs.size(); ++i) {
    detail::move_axis_slab<false>(xs[i].value().data(), channels[i], 0, out.data(), total, offsets[i], batch,
                                  channels[i], plane);
  }
  return BasicVariable<T>::make_result(
      "concat_channels", std::move(out), inputs,
      [channels = std::move(channels), offsets = std::move(offsets), total, batch, plane](auto& node) {
        for (std::size_t i = 0; i < channels.size(); ++i) {
          if (!node.needs_input_grad(i)) continue;
          detail::move_axis_slab<true>(node.grad.data(), total, offsets[i], node.input_grad(i).data(), channels[i], 0,
                                       batch, channels[i], plane);
        }
      });
}

/// Any contiguous range of variables (a vector, an array) concatenated as above.
template <std::ranges::contiguous_range R>
  requires detail::is_basic_variable_v<std::ranges::range_value_t<R>>
auto concat_channels(const R& xs) {
  using V = std::ranges::range_value_t<R>;
  return concat_channels(std::span<const V>(std::ranges::data(xs), std::ranges::size(xs)));
}

/// The slice [start, start + length) of `x` along `axis` (negative axes count
/// from the end), any rank. Ranges outside the axis throw ShapeError. Used to
/// take sub-weights in weight-sharing supernets: the first channels of a
/// weight, the centre of a kernel.
template <Scalar T>
BasicVariable<T> narrow(const BasicVariable<T>& x, std::int64_t axis, std::int64_t start, std::int64_t length) {
  const std::int64_t rank = x.dim();
  HWNAS_CHECK_SHAPE(axis >= -rank && axis < rank, "narrow: axis {} out of range for shape {}", axis, x.shape());
  if (axis < 0) axis += rank;
  const auto dims = x.shape().dims();
  const auto a = static_cast<std::size_t>(axis);
  const std::int64_t size = dims[a];
  HWNAS_CHECK_SHAPE(start >= 0 && length >= 0 && start <= size - length,
                    "narrow: range start {} length {} out of bounds for axis {} of size {} in shape {}", start, length,
                    axis, size, x.shape());
  std::vector<std::int64_t> out_dims(dims.begin(), dims.end());
  out_dims[a] = length;
  const std::int64_t outer = detail::dims_product(dims, 0, a);
  const std::int64_t inner = detail::dims_product(dims, a + 1, dims.size());
  BasicTensor<T> out{Shape(std::move(out_dims))};
  detail::move_axis_slab<false>(x.value().data(), size, start, out.data(), length, 0, outer, length, inner);
  return BasicVariable<T>::make_result("narrow", std::move(out), {&x}, [=](auto& node) {
    detail::move_axis_slab<true>(node.grad.data(), length, 0, node.input_grad(0).data(), size, start, outer, length,
                                 inner);
  });
}

}  // namespace hwnas
