#include "hwnas/data/loader.hpp"

#include <algorithm>
#include <numeric>
#include <span>
#include <utility>

#include "hwnas/core/error.hpp"
#include "hwnas/data/split.hpp"

namespace hwnas::data {
namespace {

static_assert(std::input_iterator<DataLoader::Iterator>);

}  // namespace

DataLoader::DataLoader(const LabelledImages& data, LoaderOptions options, BatchTransform transform)
    : data_(data), options_(options), transform_(std::move(transform)) {
  HWNAS_CHECK_CONFIG(options_.batch_size() > 0, "DataLoader: batch size must be positive, got {}",
                     options_.batch_size());
  check_labelled_images(data_, "DataLoader");
  set_epoch(0);
}

void DataLoader::set_epoch(std::int64_t epoch) {
  HWNAS_CHECK_CONFIG(epoch >= 0, "DataLoader: epoch must be non-negative, got {}", epoch);
  epoch_ = epoch;
  const std::int64_t n = data_.images.size(0);
  if (options_.shuffle()) {
    // Stream 0 of the epoch orders the samples; streams 1.. feed the batch transforms.
    Rng rng(derive_seed(derive_seed(options_.seed(), static_cast<std::uint64_t>(epoch)), 0));
    order_ = random_permutation(n, rng);
  } else {
    order_.resize(static_cast<std::size_t>(n));
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }
}

std::int64_t DataLoader::size() const {
  const std::int64_t n = num_samples();
  const std::int64_t b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

Batch DataLoader::batch(std::int64_t index) const {
  HWNAS_CHECK_CONFIG(index >= 0 && index < size(), "DataLoader: batch {} is out of range [0, {})", index, size());
  const std::int64_t b = options_.batch_size();
  const std::int64_t first = index * b;
  const std::int64_t count = std::min(b, num_samples() - first);
  LabelledImages picked = subset(data_, std::span<const std::int64_t>(order_).subspan(
                                            static_cast<std::size_t>(first), static_cast<std::size_t>(count)));
  Batch out{std::move(picked.images), std::move(picked.labels)};
  if (transform_) {
    Rng rng(derive_seed(derive_seed(options_.seed(), static_cast<std::uint64_t>(epoch_)),
                        static_cast<std::uint64_t>(index) + 1));
    transform_(out.images, rng);
  }
  return out;
}

}  // namespace hwnas::data
