#include "hwnas/inherit/widening.hpp"

#include <algorithm>
#include <vector>

#include "hwnas/core/error.hpp"

namespace hwnas::inherit {

WideningMap widening_map(std::int64_t old_width, std::int64_t new_width, Rng& rng) {
  HWNAS_CHECK_CONFIG(old_width >= 1 && new_width >= old_width,
                     "widening map: the new width must be at least the old width (>= 1), got {} -> {}", old_width,
                     new_width);
  WideningMap map;
  map.source.reserve(static_cast<std::size_t>(new_width));
  map.replicas.assign(static_cast<std::size_t>(old_width), 1);
  for (std::int64_t j = 0; j < old_width; ++j) map.source.push_back(j);
  for (std::int64_t j = old_width; j < new_width; ++j) {
    const auto g = static_cast<std::int64_t>(rng.uniform_int(static_cast<std::uint64_t>(old_width)));
    map.source.push_back(g);
    ++map.replicas[static_cast<std::size_t>(g)];
  }
  return map;
}

template <Scalar T>
BasicTensor<T> widen_rows(const BasicTensor<T>& t, const WideningMap& map) {
  HWNAS_CHECK_SHAPE(t.dim() >= 1 && t.size(0) == map.old_width(),
                    "widen_rows: expected {} slices along axis 0, got shape {}", map.old_width(), t.shape());
  std::vector<std::int64_t> dims(t.shape().dims().begin(), t.shape().dims().end());
  const std::int64_t slice = t.numel() / map.old_width();
  dims[0] = map.new_width();
  auto out = BasicTensor<T>::uninitialized(Shape(std::move(dims)));
  for (std::int64_t j = 0; j < map.new_width(); ++j) {
    const T* from = t.data() + map.source[static_cast<std::size_t>(j)] * slice;
    std::copy(from, from + slice, out.data() + j * slice);
  }
  return out;
}

template <Scalar T>
BasicTensor<T> widen_columns(const BasicTensor<T>& t, const WideningMap& map, Division division, std::int64_t block) {
  HWNAS_CHECK_CONFIG(block >= 1, "widen_columns: block must be positive, got {}", block);
  HWNAS_CHECK_SHAPE(t.dim() >= 2 && t.size(1) == map.old_width() * block,
                    "widen_columns: expected {} units of {} slices along axis 1, got shape {}", map.old_width(), block,
                    t.shape());
  std::vector<std::int64_t> dims(t.shape().dims().begin(), t.shape().dims().end());
  const std::int64_t rows = dims[0];
  const std::int64_t unit = t.numel() / rows / map.old_width();  // elements of one unit within a row
  dims[1] = map.new_width() * block;
  auto out = BasicTensor<T>::uninitialized(Shape(std::move(dims)));
  const std::int64_t old_row = map.old_width() * unit;
  const std::int64_t new_row = map.new_width() * unit;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < map.new_width(); ++j) {
      const auto g = map.source[static_cast<std::size_t>(j)];
      const T scale =
          division == Division::by_replicas ? T{1} / static_cast<T>(map.replicas[static_cast<std::size_t>(g)]) : T{1};
      const T* from = t.data() + r * old_row + g * unit;
      T* to = out.data() + r * new_row + j * unit;
      for (std::int64_t k = 0; k < unit; ++k) to[k] = from[k] * scale;
    }
  }
  return out;
}

template <Scalar T>
BasicTensor<T> pad_kernel(const BasicTensor<T>& t, std::int64_t pad) {
  HWNAS_CHECK_CONFIG(pad >= 0, "pad_kernel: the padding must be non-negative, got {}", pad);
  HWNAS_CHECK_SHAPE(t.dim() == 4 && t.size(2) == t.size(3), "pad_kernel: expected a kernel [out, in, k, k], got {}",
                    t.shape());
  const std::int64_t k = t.size(2);
  const std::int64_t padded = k + 2 * pad;
  BasicTensor<T> out(Shape{t.size(0), t.size(1), padded, padded});
  for (std::int64_t o = 0; o < t.size(0); ++o)
    for (std::int64_t i = 0; i < t.size(1); ++i)
      for (std::int64_t y = 0; y < k; ++y)
        for (std::int64_t x = 0; x < k; ++x) out(o, i, y + pad, x + pad) = t(o, i, y, x);
  return out;
}

template BasicTensor<float> widen_rows(const BasicTensor<float>&, const WideningMap&);
template BasicTensor<double> widen_rows(const BasicTensor<double>&, const WideningMap&);
template BasicTensor<float> widen_columns(const BasicTensor<float>&, const WideningMap&, Division, std::int64_t);
template BasicTensor<double> widen_columns(const BasicTensor<double>&, const WideningMap&, Division, std::int64_t);
template BasicTensor<float> pad_kernel(const BasicTensor<float>&, std::int64_t);
template BasicTensor<double> pad_kernel(const BasicTensor<double>&, std::int64_t);

}  // namespace hwnas::inherit
