#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "hwnas/core/detail/norm_pool_kernels.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::detail {
namespace {

/// The in-bounds span [begin, end) of one window along one axis.
struct Span {
  std::int64_t begin;
  std::int64_t end;
};

/// The in-bounds span of every output position along an axis of length `in`.
/// The ops guarantee padding <= kernel / 2, so no span is empty.
std::vector<Span> window_spans(std::int64_t in, std::int64_t out, const PoolWindow& window) {
  std::vector<Span> spans(static_cast<std::size_t>(out));
  for (std::int64_t o = 0; o < out; ++o) {
    const std::int64_t start = o * window.stride - window.padding;
    spans[static_cast<std::size_t>(o)] = {std::max<std::int64_t>(start, 0),
                                          std::min(start + window.kernel, in)};
  }
  return spans;
}

/// The geometry shared by a pooled tensor pair: x [N, C, H, W] and y [N, C, OH, OW].
struct PoolLayout {
  std::int64_t planes;
  std::int64_t in_w;
  std::int64_t in_plane;
  std::int64_t out_plane;
  std::vector<Span> rows;
  std::vector<Span> cols;

  PoolLayout(const Shape& x, const Shape& y, const PoolWindow& window)
      : planes(x[0] * x[1]),
        in_w(x[3]),
        in_plane(x[2] * x[3]),
        out_plane(y[2] * y[3]),
        rows(window_spans(x[2], y[2], window)),
        cols(window_spans(x[3], y[3], window)) {}

  /// Runs `body(plane, row span, col span, output offset within the plane)`
  /// for every output element, planes spread over the pool.
  template <class Body>
  void for_each_window(Body&& body) const {
    parallel_for(0, planes, plane_grain(in_plane + out_plane), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t p = lo; p < hi; ++p) {
        std::int64_t o = 0;
        for (const Span& r : rows) {
          for (const Span& c : cols) body(p, r, c, o++);
        }
      }
    });
  }
};

template <Scalar T>
T avg_divisor(const Span& r, const Span& c, const PoolWindow& window, bool count_include_pad) {
  return static_cast<T>(count_include_pad ? window.kernel * window.kernel : (r.end - r.begin) * (c.end - c.begin));
}

}  // namespace

template <Scalar T>
void avg_pool2d_forward(const BasicTensor<T>& x, const PoolWindow& window, bool count_include_pad,
                        BasicTensor<T>& y) {
  const PoolLayout layout(x.shape(), y.shape(), window);
  layout.for_each_window([&](std::int64_t p, const Span& r, const Span& c, std::int64_t o) {
    const T* in = x.data() + p * layout.in_plane;
    T sum{0};
    for (std::int64_t h = r.begin; h < r.end; ++h) {
      for (std::int64_t w = c.begin; w < c.end; ++w) sum += in[h * layout.in_w + w];
    }
    y[p * layout.out_plane + o] = sum / avg_divisor<T>(r, c, window, count_include_pad);
  });
}

template <Scalar T>
void avg_pool2d_backward(const BasicTensor<T>& grad_y, const PoolWindow& window, bool count_include_pad,
                         BasicTensor<T>& grad_x) {
  const PoolLayout layout(grad_x.shape(), grad_y.shape(), window);
  layout.for_each_window([&](std::int64_t p, const Span& r, const Span& c, std::int64_t o) {
    T* in = grad_x.data() + p * layout.in_plane;
    const T g = grad_y[p * layout.out_plane + o] / avg_divisor<T>(r, c, window, count_include_pad);
    for (std::int64_t h = r.begin; h < r.end; ++h) {
      for (std::int64_t w = c.begin; w < c.end; ++w) in[h * layout.in_w + w] += g;
    }
  });
}

template <Scalar T>
void max_pool2d_forward(const BasicTensor<T>& x, const PoolWindow& window, BasicTensor<T>& y,
                        std::vector<std::int64_t>& argmax) {
  const PoolLayout layout(x.shape(), y.shape(), window);
  argmax.assign(static_cast<std::size_t>(y.numel()), 0);
  layout.for_each_window([&](std::int64_t p, const Span& r, const Span& c, std::int64_t o) {
    const std::int64_t plane_offset = p * layout.in_plane;
    std::int64_t best = plane_offset + r.begin * layout.in_w + c.begin;
    for (std::int64_t h = r.begin; h < r.end; ++h) {
      for (std::int64_t w = c.begin; w < c.end; ++w) {
        const std::int64_t i = plane_offset + h * layout.in_w + w;
        // Strictly greater keeps the first maximum; a NaN, once taken, is never replaced.
        if (x[i] > x[best] || (std::isnan(x[i]) && !std::isnan(x[best]))) best = i;
      }
    }
    const std::int64_t out = p * layout.out_plane + o;
    y[out] = x[best];
    argmax[static_cast<std::size_t>(out)] = best;
  });
}

template <Scalar T>
void max_pool2d_backward(const BasicTensor<T>& grad_y, const std::vector<std::int64_t>& argmax,
                         BasicTensor<T>& grad_x) {
  // Every window lies inside one plane, so planes scatter into disjoint parts of grad_x.
  const std::int64_t planes = grad_y.size(0) * grad_y.size(1);
  const std::int64_t out_plane = grad_y.size(2) * grad_y.size(3);
  parallel_for(0, planes, plane_grain(out_plane), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t o = lo * out_plane; o < hi * out_plane; ++o) {
      grad_x[argmax[static_cast<std::size_t>(o)]] += grad_y[o];
    }
  });
}

template <Scalar T>
void global_avg_pool2d_forward(const BasicTensor<T>& x, BasicTensor<T>& y) {
  const std::int64_t plane = x.size(2) * x.size(3);
  parallel_for(0, y.numel(), plane_grain(plane), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t p = lo; p < hi; ++p) {
      const Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> values(x.data() + p * plane, plane);
      y[p] = static_cast<T>(values.template cast<double>().sum() / static_cast<double>(plane));
    }
  });
}

template <Scalar T>
void global_avg_pool2d_backward(const BasicTensor<T>& grad_y, BasicTensor<T>& grad_x) {
  const std::int64_t plane = grad_x.size(2) * grad_x.size(3);
  parallel_for(0, grad_y.numel(), plane_grain(plane), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t p = lo; p < hi; ++p) {
      Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(grad_x.data() + p * plane, plane) +=
          grad_y[p] / static_cast<T>(plane);
    }
  });
}

#define HWNAS_INSTANTIATE_POOL(T)                                                                              \
  template void avg_pool2d_forward<T>(const BasicTensor<T>&, const PoolWindow&, bool, BasicTensor<T>&);      \
  template void avg_pool2d_backward<T>(const BasicTensor<T>&, const PoolWindow&, bool, BasicTensor<T>&);     \
  template void max_pool2d_forward<T>(const BasicTensor<T>&, const PoolWindow&, BasicTensor<T>&,             \
                                      std::vector<std::int64_t>&);                                           \
  template void max_pool2d_backward<T>(const BasicTensor<T>&, const std::vector<std::int64_t>&,              \
                                       BasicTensor<T>&);                                                     \
  template void global_avg_pool2d_forward<T>(const BasicTensor<T>&, BasicTensor<T>&);                        \
  template void global_avg_pool2d_backward<T>(const BasicTensor<T>&, BasicTensor<T>&);

HWNAS_INSTANTIATE_POOL(float)
HWNAS_INSTANTIATE_POOL(double)

#undef HWNAS_INSTANTIATE_POOL

}  // namespace hwnas::detail
