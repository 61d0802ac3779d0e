#include "hwnas/data/split.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "hwnas/core/error.hpp"

namespace hwnas::data {

std::vector<std::int64_t> random_permutation(std::int64_t n, Rng& rng) {
  HWNAS_CHECK_CONFIG(n >= 0, "random_permutation: size must be non-negative, got {}", n);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (std::int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(rng.uniform_int(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

void check_labelled_images(const LabelledImages& data, const char* who) {
  HWNAS_CHECK_SHAPE(data.images.dim() == 4, "{}: expected NCHW images, got {}", who, data.images.shape());
  HWNAS_CHECK_SHAPE(data.images.size(0) == static_cast<std::int64_t>(data.labels.size()),
                    "{}: {} images {} but {} labels", who, data.images.size(0), data.images.shape(),
                    data.labels.size());
}

LabelledImages subset(const LabelledImages& data, std::span<const std::int64_t> indices) {
  check_labelled_images(data, "subset");
  const std::int64_t n = data.images.size(0);
  const std::int64_t sample = n == 0 ? 0 : data.images.numel() / n;
  LabelledImages out;
  out.num_classes = data.num_classes;
  out.images = Tensor::uninitialized(
      Shape{static_cast<std::int64_t>(indices.size()), data.images.size(1), data.images.size(2), data.images.size(3)});
  out.labels.reserve(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::int64_t i = indices[k];
    HWNAS_CHECK_SHAPE(i >= 0 && i < n, "subset: index {} is out of range for {} samples {}", i, n,
                      data.images.shape());
    std::memcpy(out.images.data() + static_cast<std::int64_t>(k) * sample, data.images.data() + i * sample,
                static_cast<std::size_t>(sample) * sizeof(float));
    out.labels.push_back(data.labels[static_cast<std::size_t>(i)]);
  }
  return out;
}

TrainValidation split_off(const LabelledImages& data, std::int64_t validation_size, std::uint64_t seed) {
  check_labelled_images(data, "split_off");
  const std::int64_t n = data.images.size(0);
  HWNAS_CHECK_CONFIG(validation_size >= 0 && validation_size <= n,
                     "split_off: validation size {} is outside [0, {}] for a dataset of {} samples", validation_size,
                     n, n);
  Rng rng(seed);
  auto order = random_permutation(n, rng);
  const auto cut = order.begin() + validation_size;
  std::sort(order.begin(), cut);
  std::sort(cut, order.end());
  const std::span<const std::int64_t> all(order);
  return {subset(data, all.subspan(static_cast<std::size_t>(validation_size))),
          subset(data, all.first(static_cast<std::size_t>(validation_size)))};
}

}  // namespace hwnas::data
