#pragma once
/// \file
/// `ScratchAccuracy`: the ground truth the cheaper estimators are judged
/// against. Each architecture is built, initialised from the seed and
/// trained from scratch on a fixed per-architecture budget, and its top-1
/// accuracy on the validation images is the estimate:
///
///     train::ScratchAccuracy scratch(space, train_images, validation_images,
///                                    train::TrainOptions{}.epochs(1).train_subset(12000),
///                                    train::ScratchCache("runs/scratch-accuracy.jsonl"));
///     Estimate e = scratch.estimate(arch);   // trains, or reads the cache
///
/// The budget is the options' epochs over `train_subset` images, or a number
/// of steps (`step_budget`). Results are cached by space, canonical
/// architecture string, training
/// options and a fingerprint of the data (see ScratchCache), so repeated
/// searches do not retrain; a cache hit costs nothing and reports so.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/space/concepts.hpp"
#include "hwnas/train/metrics.hpp"
#include "hwnas/train/options.hpp"
#include "hwnas/train/trainer.hpp"

namespace hwnas::train {

/// Trained accuracies on disk, one JSON object per line:
/// `{"key": ..., "space": ..., "arch": canonical, "accuracy": ..., "cost": {...}}`.
/// The key joins everything the result depends on; the file is rewritten
/// atomically after every new entry, so an interrupted search loses nothing.
/// A default-constructed cache lives in memory only.
class ScratchCache {
 public:
  ScratchCache() = default;
  /// Reads `path` when it exists; DataError naming the file and line for a
  /// malformed entry.
  explicit ScratchCache(std::filesystem::path path);

  /// The estimate recorded under `key`, if any.
  [[nodiscard]] std::optional<estimate::Estimate> find(const std::string& key) const;
  /// Records an estimate (and rewrites the file).
  void insert(const std::string& key, std::string_view space, std::string_view arch, const estimate::Estimate& e);

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  struct Entry {
    std::string space;
    std::string arch;
    estimate::Estimate estimate;
  };
  void write() const;

  std::filesystem::path path_;
  std::unordered_map<std::string, Entry> entries_;
  /// Insertion order, so the file keeps its order across rewrites.
  std::vector<std::string> order_;
  mutable std::mutex mutex_;
};

/// A short hex digest of the images and labels (every label and a strided
/// sample of pixels), which tells datasets and splits apart in cache keys.
[[nodiscard]] std::string data_fingerprint(const data::LabelledImages& data);

/// The cache key of training `canonical` of `space` with `options` on
/// `train` and scoring on `validation`; `threads` is left out (it changes
/// rounding, not the experiment).
[[nodiscard]] std::string scratch_cache_key(std::string_view space, std::string_view canonical,
                                            const TrainOptions& options, std::string_view data_fingerprints);

/// `options` changed to a budget of exactly `steps` optimizer steps on a
/// training set of `images`, with a complete learning-rate schedule: one
/// epoch over a seeded subset of steps x batch_size images. ConfigError for
/// fewer than one step or more images than there are.
[[nodiscard]] TrainOptions step_budget(TrainOptions options, std::int64_t steps, std::int64_t images);

template <class Space>
  requires space::SearchSpace<Space>
class ScratchAccuracy {
 public:
  using Arch = typename Space::Arch;

  /// ConfigError for invalid options or empty data.
  ScratchAccuracy(Space space, std::shared_ptr<const data::LabelledImages> train,
                  std::shared_ptr<const data::LabelledImages> validation, TrainOptions options,
                  std::shared_ptr<ScratchCache> cache = std::make_shared<ScratchCache>())
      : space_(std::move(space)),
        train_(std::move(train)),
        validation_(std::move(validation)),
        options_(options),
        cache_(std::move(cache)) {
    options_.validate();
    HWNAS_CHECK_CONFIG(train_ && !train_->labels.empty() && validation_ && !validation_->labels.empty() && cache_,
                       "scratch accuracy: needs training images, validation images and a cache");
    fingerprints_ = data_fingerprint(*train_) + "/" + data_fingerprint(*validation_);
  }

  [[nodiscard]] std::string_view name() const { return "scratch"; }
  /// Training already uses every kernel thread.
  [[nodiscard]] bool thread_safe() const { return false; }
  [[nodiscard]] const TrainOptions& options() const { return options_; }
  [[nodiscard]] const ScratchCache& cache() const { return *cache_; }

  /// Validation accuracy after training `arch` from scratch (NaN when the
  /// training diverged); a cached result comes back with zero cost.
  [[nodiscard]] estimate::Estimate estimate(const Arch& arch) {
    const std::string canonical = space_.canonical(arch);
    const std::string key = scratch_cache_key(space_.name(), canonical, options_, fingerprints_);
    if (auto cached = cache_->find(key)) return {cached->value, {}};

    const auto start = std::chrono::steady_clock::now();
    auto network = std::shared_ptr<nn::Module>(space_.build(arch));
    Rng rng(options_.seed());
    nn::init::default_init(*network, rng);
    Trainer trainer(network, options_);
    const TrainResult result = trainer.fit(*train_, nullptr);
    estimate::Estimate e;
    e.value = result.status == TrainStatus::diverged ? std::numeric_limits<double>::quiet_NaN()
                                                     : trainer.evaluate(*validation_).accuracy;
    e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::int64_t trained = result.steps * options_.batch_size();
    const std::int64_t validated = std::ssize(validation_->labels);
    e.cost.images = trained + validated;
    e.cost.forward_passes = result.steps + (validated + options_.eval_batch_size() - 1) / options_.eval_batch_size();
    e.cost.backward_passes = result.steps;
    cache_->insert(key, space_.name(), canonical, e);
    return e;
  }

 private:
  Space space_;
  std::shared_ptr<const data::LabelledImages> train_;
  std::shared_ptr<const data::LabelledImages> validation_;
  TrainOptions options_;
  std::shared_ptr<ScratchCache> cache_;
  std::string fingerprints_;
};

}  // namespace hwnas::train
