#include <algorithm>
#include <cstdint>
#include <vector>

#include "hwnas/core/detail/norm_pool_kernels.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::detail {
namespace {

/// The two source neighbours of one output position along an axis, and their weights.
template <Scalar T>
struct Taps {
  std::int64_t lo;
  std::int64_t hi;
  T w_lo;
  T w_hi;
};

/// Half-pixel-centre taps for resizing an axis from `in` to `out` positions.
/// Coordinates are computed in double so float and double agree on them.
template <Scalar T>
std::vector<Taps<T>> axis_taps(std::int64_t in, std::int64_t out) {
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  std::vector<Taps<T>> taps(static_cast<std::size_t>(out));
  for (std::int64_t d = 0; d < out; ++d) {
    const double src = std::max((static_cast<double>(d) + 0.5) * scale - 0.5, 0.0);
    const auto lo = std::min(static_cast<std::int64_t>(src), in - 1);
    const double frac = src - static_cast<double>(lo);
    taps[static_cast<std::size_t>(d)] = {lo, std::min(lo + 1, in - 1), static_cast<T>(1.0 - frac),
                                         static_cast<T>(frac)};
  }
  return taps;
}

/// The taps of both axes for x [N, C, H, W] -> y [N, C, OH, OW].
template <Scalar T>
struct ResizeLayout {
  std::int64_t planes;
  std::int64_t in_w;
  std::int64_t in_plane;
  std::int64_t out_plane;
  std::vector<Taps<T>> rows;
  std::vector<Taps<T>> cols;

  ResizeLayout(const Shape& x, const Shape& y)
      : planes(x[0] * x[1]),
        in_w(x[3]),
        in_plane(x[2] * x[3]),
        out_plane(y[2] * y[3]),
        rows(axis_taps<T>(x[2], y[2])),
        cols(axis_taps<T>(x[3], y[3])) {}

  /// Runs `body(input plane offset, row taps, col taps, output index)` for
  /// every output element, planes spread over the pool.
  template <class Body>
  void for_each_output(Body&& body) const {
    parallel_for(0, planes, plane_grain(in_plane + out_plane), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t p = lo; p < hi; ++p) {
        std::int64_t o = p * out_plane;
        for (const auto& r : rows) {
          for (const auto& c : cols) body(p * in_plane, r, c, o++);
        }
      }
    });
  }
};

}  // namespace

template <Scalar T>
void resize_bilinear_forward(const BasicTensor<T>& x, BasicTensor<T>& y) {
  // An unchanged size has weights of exactly 1 and 0, yet 0 * inf would turn an infinite neighbour into NaN.
  if (x.shape() == y.shape()) {
    y = x;
    return;
  }
  const ResizeLayout<T> layout(x.shape(), y.shape());
  layout.for_each_output([&](std::int64_t in, const Taps<T>& r, const Taps<T>& c, std::int64_t o) {
    const T* top = x.data() + in + r.lo * layout.in_w;
    const T* bottom = x.data() + in + r.hi * layout.in_w;
    y[o] = r.w_lo * (c.w_lo * top[c.lo] + c.w_hi * top[c.hi]) +
           r.w_hi * (c.w_lo * bottom[c.lo] + c.w_hi * bottom[c.hi]);
  });
}

template <Scalar T>
void resize_bilinear_backward(const BasicTensor<T>& grad_y, BasicTensor<T>& grad_x) {
  if (grad_x.shape() == grad_y.shape()) {
    grad_x.array() += grad_y.array();
    return;
  }
  const ResizeLayout<T> layout(grad_x.shape(), grad_y.shape());
  // Outputs of one plane only read that plane, so planes scatter into disjoint parts of grad_x.
  layout.for_each_output([&](std::int64_t in, const Taps<T>& r, const Taps<T>& c, std::int64_t o) {
    T* top = grad_x.data() + in + r.lo * layout.in_w;
    T* bottom = grad_x.data() + in + r.hi * layout.in_w;
    const T g = grad_y[o];
    top[c.lo] += r.w_lo * c.w_lo * g;
    top[c.hi] += r.w_lo * c.w_hi * g;
    bottom[c.lo] += r.w_hi * c.w_lo * g;
    bottom[c.hi] += r.w_hi * c.w_hi * g;
  });
}

#define HWNAS_INSTANTIATE_RESIZE(T)                                                   \
  template void resize_bilinear_forward<T>(const BasicTensor<T>&, BasicTensor<T>&); \
  template void resize_bilinear_backward<T>(const BasicTensor<T>&, BasicTensor<T>&);

HWNAS_INSTANTIATE_RESIZE(float)
HWNAS_INSTANTIATE_RESIZE(double)

#undef HWNAS_INSTANTIATE_RESIZE

}  // namespace hwnas::detail
