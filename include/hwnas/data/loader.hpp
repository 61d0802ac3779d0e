#pragma once
/// \file
/// Mini-batches over an in-memory dataset:
///
///     DataLoader loader(train, LoaderOptions{}.batch_size(128).shuffle(true).seed(7), augment);
///     for (std::int64_t epoch = start; epoch < epochs; ++epoch) {
///       loader.set_epoch(epoch);
///       for (Batch& batch : loader) step(batch.images, batch.labels);
///     }
///
/// Everything random is a function of (seed, epoch, batch index): the sample
/// order of an epoch depends only on the seed and the epoch, and the transform
/// of batch b gets a generator seeded from (seed, epoch, b). A run resumed at
/// epoch e therefore sees exactly the batches of the uninterrupted run, and
/// batches can be built in any order or on any thread with the same result.
///
/// Batches are built on the calling thread when the iterator reaches them.
/// Building one is a copy of its images plus the transform, which is small
/// next to a training step, and the kernels already use every core, so the
/// loader does not prefetch on a background thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <vector>

#include "hwnas/core/random.hpp"
#include "hwnas/core/tensor.hpp"
#include "hwnas/data/idx.hpp"

namespace hwnas::data {

/// `LoaderOptions{}.batch_size(64).shuffle(true).drop_last(false).seed(0)`.
class LoaderOptions {
 public:
  LoaderOptions& batch_size(std::int64_t n) {
    batch_size_ = n;
    return *this;
  }
  /// Whether each epoch visits the samples in a fresh seeded order.
  LoaderOptions& shuffle(bool on) {
    shuffle_ = on;
    return *this;
  }
  /// Whether a last batch smaller than the batch size is left out.
  LoaderOptions& drop_last(bool on) {
    drop_last_ = on;
    return *this;
  }
  LoaderOptions& seed(std::uint64_t s) {
    seed_ = s;
    return *this;
  }

  [[nodiscard]] std::int64_t batch_size() const { return batch_size_; }
  [[nodiscard]] bool shuffle() const { return shuffle_; }
  [[nodiscard]] bool drop_last() const { return drop_last_; }
  [[nodiscard]] std::uint64_t seed() const { return seed_; }

 private:
  std::int64_t batch_size_ = 64;
  bool shuffle_ = false;
  bool drop_last_ = false;
  std::uint64_t seed_ = 0;
};

/// Images [B, C, H, W] and their labels.
struct Batch {
  Tensor images;
  std::vector<std::int32_t> labels;
};

/// Applied to the images of every batch, e.g. random crops and flips.
using BatchTransform = std::function<void(Tensor& images, Rng& rng)>;

/// Cuts a dataset into batches, epoch by epoch.
///
/// The loader keeps a reference to `data`, not a copy: the dataset must
/// outlive the loader and stay unchanged while it is in use. Binding a
/// temporary dataset is therefore refused at compile time.
class DataLoader {
 public:
  class Iterator;

  /// Starts at epoch 0. ConfigError for a non-positive batch size, ShapeError
  /// unless `data` holds NCHW images with one label each.
  DataLoader(const LabelledImages& data, LoaderOptions options, BatchTransform transform = {});
  DataLoader(LabelledImages&& data, LoaderOptions options, BatchTransform transform = {}) = delete;

  /// Chooses the epoch whose batches the loader yields (ConfigError if negative).
  void set_epoch(std::int64_t epoch);
  [[nodiscard]] std::int64_t epoch() const { return epoch_; }

  /// Batches per epoch.
  [[nodiscard]] std::int64_t size() const;
  /// Samples in the dataset.
  [[nodiscard]] std::int64_t num_samples() const { return static_cast<std::int64_t>(order_.size()); }
  [[nodiscard]] const LoaderOptions& options() const { return options_; }

  /// Batch `index` of the current epoch, transformed; ConfigError unless
  /// 0 <= index < size().
  [[nodiscard]] Batch batch(std::int64_t index) const;

  /// The batches of the current epoch, in order, built as the iteration reaches them.
  [[nodiscard]] Iterator begin() const;
  [[nodiscard]] std::default_sentinel_t end() const { return {}; }

 private:
  const LabelledImages& data_;
  LoaderOptions options_;
  BatchTransform transform_;
  std::int64_t epoch_ = 0;
  std::vector<std::int64_t> order_;
};

/// A single-pass iterator over the batches of one epoch. The batch it points
/// at belongs to the iterator and may be moved from.
class DataLoader::Iterator {
 public:
  using iterator_concept = std::input_iterator_tag;
  using value_type = Batch;
  using difference_type = std::ptrdiff_t;

  Iterator() = default;
  Iterator(const DataLoader& loader, std::int64_t index) : loader_(&loader), index_(index) { load(); }

  Batch& operator*() const { return *current_; }
  Batch* operator->() const { return current_.get(); }
  Iterator& operator++() {
    ++index_;
    load();
    return *this;
  }
  void operator++(int) { ++*this; }

  /// The index of the batch the iterator points at.
  [[nodiscard]] std::int64_t index() const { return index_; }

  friend bool operator==(const Iterator& it, std::default_sentinel_t) {
    return it.loader_ == nullptr || it.index_ >= it.loader_->size();
  }

 private:
  void load() {
    current_ = *this == std::default_sentinel ? nullptr : std::make_unique<Batch>(loader_->batch(index_));
  }

  const DataLoader* loader_ = nullptr;
  std::int64_t index_ = 0;
  std::unique_ptr<Batch> current_;
};

inline DataLoader::Iterator DataLoader::begin() const { return Iterator(*this, 0); }

}  // namespace hwnas::data
