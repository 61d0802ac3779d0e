#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/data/loader.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/data/transforms.hpp"
#include "support/expect.hpp"

namespace hwnas::data {
namespace {

/// n samples of shape [1, 2, 2]; sample i holds the value i everywhere and label i % 7,
/// so a batch's images reveal which samples it holds.
LabelledImages numbered(std::int64_t n) {
  LabelledImages set;
  set.num_classes = 7;
  set.images = Tensor(Shape{n, 1, 2, 2});
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t p = 0; p < 4; ++p) set.images[i * 4 + p] = static_cast<float>(i);
    set.labels.push_back(static_cast<std::int32_t>(i % 7));
  }
  return set;
}

/// The sample numbers of one epoch, batch by batch, checking labels match images.
std::vector<std::vector<std::int64_t>> epoch_samples(const DataLoader& loader) {
  std::vector<std::vector<std::int64_t>> batches;
  for (const Batch& batch : loader) {
    EXPECT_EQ(batch.images.size(0), static_cast<std::int64_t>(batch.labels.size()));
    std::vector<std::int64_t> ids;
    for (std::int64_t i = 0; i < batch.images.size(0); ++i) {
      ids.push_back(static_cast<std::int64_t>(batch.images(i, 0, 1, 1)));
      EXPECT_EQ(batch.labels[static_cast<std::size_t>(i)], ids.back() % 7);
    }
    batches.push_back(ids);
  }
  return batches;
}

std::vector<std::int64_t> flatten(const std::vector<std::vector<std::int64_t>>& batches) {
  std::vector<std::int64_t> all;
  for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
  return all;
}

TEST(DataLoader, WithoutShuffleBatchesFollowTheDatasetWithAPartialLastBatch) {
  const LabelledImages set = numbered(10);
  const DataLoader loader(set, LoaderOptions{}.batch_size(4));
  EXPECT_EQ(loader.size(), 3);
  EXPECT_EQ(loader.num_samples(), 10);
  const auto batches = epoch_samples(loader);
  ASSERT_EQ(batches.size(), 3U);
  EXPECT_EQ(batches[0], (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(batches[2], (std::vector<std::int64_t>{8, 9}));
  EXPECT_EQ(loader.batch(2).images.shape(), (Shape{2, 1, 2, 2}));
}

TEST(DataLoader, DropLastLeavesOutThePartialBatch) {
  const LabelledImages set = numbered(10);
  const DataLoader loader(set, LoaderOptions{}.batch_size(4).drop_last(true).shuffle(true));
  EXPECT_EQ(loader.size(), 2);
  const auto batches = epoch_samples(loader);
  ASSERT_EQ(batches.size(), 2U);
  for (const auto& b : batches) EXPECT_EQ(b.size(), 4U);
  EXPECT_EQ(DataLoader(set, LoaderOptions{}.batch_size(11).drop_last(true)).size(), 0);
  EXPECT_EQ(DataLoader(set, LoaderOptions{}.batch_size(11)).size(), 1);
}

TEST(DataLoader, ShuffledEpochVisitsEverySampleOnce) {
  const LabelledImages set = numbered(23);
  DataLoader loader(set, LoaderOptions{}.batch_size(5).shuffle(true).seed(3));
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    loader.set_epoch(epoch);
    auto all = flatten(epoch_samples(loader));
    EXPECT_FALSE(std::is_sorted(all.begin(), all.end()));
    std::sort(all.begin(), all.end());
    std::vector<std::int64_t> expected(23);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(all, expected);
  }
}

TEST(DataLoader, OrderDependsOnlyOnSeedAndEpoch) {
  const LabelledImages set = numbered(40);
  const auto options = LoaderOptions{}.batch_size(8).shuffle(true).seed(5);
  DataLoader a(set, options);
  DataLoader b(set, options);
  a.set_epoch(3);
  const auto a3 = flatten(epoch_samples(a));
  // b reaches epoch 3 after other epochs; a resumed run jumps straight to it.
  for (std::int64_t e : {0, 1, 2, 3}) b.set_epoch(e);
  EXPECT_EQ(flatten(epoch_samples(b)), a3);
  EXPECT_EQ(flatten(epoch_samples(a)), a3);  // iterating again repeats the epoch
  a.set_epoch(4);
  EXPECT_NE(flatten(epoch_samples(a)), a3);
  DataLoader other_seed(set, LoaderOptions{options}.seed(6));
  other_seed.set_epoch(3);
  EXPECT_NE(flatten(epoch_samples(other_seed)), a3);
}

TEST(DataLoader, TransformIsSeededPerBatch) {
  const LabelledImages set = numbered(12);
  std::vector<std::int64_t> seen_sizes;
  const BatchTransform noise = [&](Tensor& images, Rng& rng) {
    seen_sizes.push_back(images.size(0));
    for (std::int64_t i = 0; i < images.numel(); ++i) images[i] += static_cast<float>(rng.uniform());
  };
  DataLoader loader(set, LoaderOptions{}.batch_size(5).shuffle(true).seed(2), noise);
  loader.set_epoch(1);
  std::vector<Tensor> in_order;
  for (Batch& batch : loader) in_order.push_back(std::move(batch.images));
  EXPECT_EQ(seen_sizes, (std::vector<std::int64_t>{5, 5, 2}));
  // Building the batches out of order gives the same tensors: nothing depends on the sequence of calls.
  EXPECT_EQ(loader.batch(2).images, in_order[2]);
  EXPECT_EQ(loader.batch(0).images, in_order[0]);
  EXPECT_FALSE(loader.batch(0).images == loader.batch(1).images);
  loader.set_epoch(2);
  EXPECT_FALSE(loader.batch(0).images == in_order[0]);
  // The noise stays below 1, so each value still identifies its sample.
  for (std::int64_t i = 0; i < in_order[0].numel(); ++i) EXPECT_GE(in_order[0][i], 0.0F);

  // A real augmentation pipeline fits the hook.
  const DataLoader augmented(set, LoaderOptions{}.batch_size(4).seed(1), [](Tensor& images, Rng& rng) {
    random_crop(images, 1, rng);
    random_horizontal_flip(images, rng);
    normalize(images, {0.5F}, {2.0F});
  });
  EXPECT_EQ(augmented.batch(1).images, augmented.batch(1).images);
  EXPECT_EQ(augmented.batch(1).images.shape(), (Shape{4, 1, 2, 2}));
}

TEST(DataLoader, IteratorIsAnInputIterator) {
  static_assert(std::input_iterator<DataLoader::Iterator>);
  const LabelledImages set = numbered(6);
  const DataLoader loader(set, LoaderOptions{}.batch_size(4));
  auto it = loader.begin();
  EXPECT_EQ(it->labels.size(), 4U);
  EXPECT_EQ(it.index(), 0);
  ++it;
  EXPECT_EQ((*it).labels, (std::vector<std::int32_t>{4, 5}));
  ++it;
  EXPECT_TRUE(it == loader.end());
}

TEST(DataLoader, BadArgumentsAreErrors) {
  const LabelledImages set = numbered(6);
  testing::expect_error_containing<ConfigError>([&] { DataLoader(set, LoaderOptions{}.batch_size(0)); },
                                                "batch size must be positive");
  DataLoader loader(set, LoaderOptions{}.batch_size(4));
  testing::expect_error_containing<ConfigError>([&] { (void)loader.batch(2); }, "batch 2 is out of range [0, 2)");
  testing::expect_error_containing<ConfigError>([&] { loader.set_epoch(-1); }, "non-negative");
  LabelledImages broken = numbered(6);
  broken.labels.pop_back();
  testing::expect_error_containing<ShapeError>([&] { DataLoader(broken, LoaderOptions{}); }, "6 images");
}

TEST(Split, SizesAreRightAndPartsAreDisjoint) {
  const LabelledImages set = numbered(50);
  const TrainValidation parts = split_off(set, 8, 42);
  EXPECT_EQ(parts.train.images.shape(), (Shape{42, 1, 2, 2}));
  EXPECT_EQ(parts.validation.images.shape(), (Shape{8, 1, 2, 2}));
  EXPECT_EQ(parts.train.num_classes, 7);
  std::set<std::int64_t> seen;
  for (const auto* part : {&parts.train, &parts.validation}) {
    std::vector<std::int64_t> ids;
    for (std::int64_t i = 0; i < part->images.size(0); ++i) {
      ids.push_back(static_cast<std::int64_t>(part->images(i, 0, 0, 0)));
      EXPECT_EQ(part->labels[static_cast<std::size_t>(i)], ids.back() % 7);
      EXPECT_TRUE(seen.insert(ids.back()).second) << "sample " << ids.back() << " is in both parts";
    }
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));  // each part keeps the original order
  }
  EXPECT_EQ(seen.size(), 50U);
}

TEST(Split, IsDeterministicPerSeed) {
  const LabelledImages set = numbered(30);
  const TrainValidation a = split_off(set, 10, 1);
  const TrainValidation b = split_off(set, 10, 1);
  const TrainValidation c = split_off(set, 10, 2);
  EXPECT_EQ(a.validation.images, b.validation.images);
  EXPECT_EQ(a.train.labels, b.train.labels);
  EXPECT_FALSE(a.validation.images == c.validation.images);
  EXPECT_EQ(split_off(set, 0, 1).train.images, set.images);
  EXPECT_EQ(split_off(set, 30, 1).validation.images, set.images);
  testing::expect_error_containing<ConfigError>([&] { (void)split_off(set, 31, 1); }, "outside [0, 30]");
  testing::expect_error_containing<ConfigError>([&] { (void)split_off(set, -1, 1); }, "outside [0, 30]");
}

TEST(Split, SubsetPicksByIndexAndChecksRange) {
  const LabelledImages set = numbered(5);
  const std::vector<std::int64_t> picks{4, 0, 4};
  const LabelledImages picked = subset(set, picks);
  EXPECT_EQ(picked.labels, (std::vector<std::int32_t>{4, 0, 4}));
  EXPECT_FLOAT_EQ(picked.images(2, 0, 1, 0), 4.0F);
  const std::vector<std::int64_t> bad{5};
  testing::expect_error_containing<ShapeError>([&] { (void)subset(set, bad); }, "index 5 is out of range");
}

}  // namespace
}  // namespace hwnas::data
