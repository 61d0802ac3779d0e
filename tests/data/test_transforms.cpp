#include <vector>

#include <gtest/gtest.h>

#include "hwnas/data/transforms.hpp"
#include "support/expect.hpp"

namespace hwnas::data {
namespace {

/// A batch whose elements are 0, 1, 2, ... in row-major order.
Tensor iota_batch(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  Tensor t(Shape{n, c, h, w});
  for (std::int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(i + 1);
  return t;
}

TEST(Transforms, NormalizeUsesEachChannelsStatistics) {
  Tensor batch = iota_batch(2, 2, 1, 2);  // channel values: n0 {1,2} {3,4}, n1 {5,6} {7,8}
  normalize(batch, {1.0F, 3.0F}, {2.0F, 0.5F});
  const Tensor expected(Shape{2, 2, 1, 2}, {0.0F, 0.5F, 0.0F, 2.0F, 2.0F, 2.5F, 8.0F, 10.0F});
  testing::expect_tensors_near(batch, expected, 1e-6);
}

TEST(Transforms, NormalizeChecksItsArguments) {
  Tensor batch = iota_batch(1, 2, 2, 2);
  testing::expect_error_containing<ShapeError>([&] { normalize(batch, {0.0F}, {1.0F}); }, "has 2 channels");
  testing::expect_error_containing<ConfigError>([&] { normalize(batch, {0.0F, 0.0F}, {1.0F, 0.0F}); },
                                                "must be positive");
  Tensor flat(Shape{4, 2});
  testing::expect_error_containing<ShapeError>([&] { normalize(flat, {0.0F}, {1.0F}); },
                                               "expected an NCHW batch, got [4, 2]");
}

TEST(Transforms, CropWithoutPaddingChangesNothing) {
  Tensor batch = iota_batch(3, 2, 4, 5);
  const Tensor original = batch;
  Rng rng(1);
  random_crop(batch, 0, rng);
  EXPECT_EQ(batch, original);
}

TEST(Transforms, CropShiftsContentAndPadsWithZeros) {
  const Tensor original = iota_batch(16, 2, 5, 6);
  Tensor batch = original;
  Rng rng(4);
  random_crop(batch, 2, rng);
  ASSERT_EQ(batch.shape(), original.shape());
  // Every image must be the original shifted by one (dy, dx) in [-2, 2]^2, the same for both channels.
  int shifted = 0;
  for (std::int64_t n = 0; n < 16; ++n) {
    bool found = false;
    for (std::int64_t dy = -2; dy <= 2 && !found; ++dy) {
      for (std::int64_t dx = -2; dx <= 2 && !found; ++dx) {
        bool match = true;
        for (std::int64_t c = 0; c < 2 && match; ++c) {
          for (std::int64_t y = 0; y < 5 && match; ++y) {
            for (std::int64_t x = 0; x < 6 && match; ++x) {
              const std::int64_t sy = y + dy;
              const std::int64_t sx = x + dx;
              const bool inside = sy >= 0 && sy < 5 && sx >= 0 && sx < 6;
              match = batch(n, c, y, x) == (inside ? original(n, c, sy, sx) : 0.0F);
            }
          }
        }
        if (match) {
          found = true;
          shifted += dy != 0 || dx != 0;
        }
      }
    }
    EXPECT_TRUE(found) << "image " << n;
  }
  EXPECT_GE(shifted, 12);  // 1 in 25 images is expected to stay in place
}

TEST(Transforms, CropIsSeeded) {
  Tensor a = iota_batch(4, 1, 3, 3);
  Tensor b = a;
  Rng rng_a(9);
  Rng rng_b(9);
  random_crop(a, 1, rng_a);
  random_crop(b, 1, rng_b);
  EXPECT_EQ(a, b);
  Rng rng(0);
  testing::expect_error_containing<ConfigError>([&] { random_crop(a, -1, rng); }, "non-negative");
}

TEST(Transforms, FlipMirrorsRowsAndTwiceIsIdentity) {
  const Tensor original = iota_batch(2, 2, 2, 3);
  Tensor batch = original;
  Rng rng(0);
  random_horizontal_flip(batch, rng, 1.0);
  EXPECT_FLOAT_EQ(batch(1, 1, 0, 0), original(1, 1, 0, 2));
  EXPECT_FLOAT_EQ(batch(0, 0, 1, 1), original(0, 0, 1, 1));
  random_horizontal_flip(batch, rng, 1.0);
  EXPECT_EQ(batch, original);

  // With p = 0.5, the same seed flips the same images, so repeating it restores the batch.
  Tensor many = iota_batch(32, 1, 1, 4);
  Rng first(5);
  random_horizontal_flip(many, first);
  EXPECT_FALSE(many == iota_batch(32, 1, 1, 4));
  Rng second(5);
  random_horizontal_flip(many, second);
  EXPECT_EQ(many, iota_batch(32, 1, 1, 4));

  random_horizontal_flip(batch, rng, 0.0);
  EXPECT_EQ(batch, original);
  testing::expect_error_containing<ConfigError>([&] { random_horizontal_flip(batch, rng, 1.5); }, "[0, 1]");
}

TEST(Transforms, ResizeChangesSizeAndKeepsIdentitySize) {
  Tensor batch = iota_batch(2, 3, 4, 4);
  const Tensor original = batch;
  resize(batch, 4);
  EXPECT_EQ(batch, original);
  resize(batch, 8, 6);
  EXPECT_EQ(batch.shape(), (Shape{2, 3, 8, 6}));
  // A constant image stays constant.
  Tensor constant(Shape{1, 1, 3, 5}, 0.25F);
  resize(constant, 7);
  testing::expect_tensors_near(constant, Tensor(Shape{1, 1, 7, 7}, 0.25F), 1e-7);
  // With half-pixel centres, shrinking 2x2 to 1x1 reads the centre: the mean of the four pixels.
  Tensor block(Shape{1, 1, 2, 2}, {0.0F, 1.0F, 2.0F, 3.0F});
  resize(block, 1);
  EXPECT_FLOAT_EQ(block[0], 1.5F);
}

TEST(Transforms, ResizeErrorsLeaveTheBatchAlone) {
  Tensor batch = iota_batch(1, 1, 2, 2);
  const Tensor original = batch;
  testing::expect_error_containing<ConfigError>([&] { resize(batch, 0); }, "size must be positive");
  EXPECT_EQ(batch, original);
  Tensor empty(Shape{1, 1, 0, 2});
  testing::expect_error_containing<ShapeError>([&] { resize(empty, 2); }, "empty plane");
  EXPECT_EQ(empty.shape(), (Shape{1, 1, 0, 2}));
}

}  // namespace
}  // namespace hwnas::data
