#include <gtest/gtest.h>

#include "hwnas/core/buffer_cache.hpp"
#include "hwnas/core/tensor.hpp"

namespace hwnas {
namespace {

class BufferCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_limit_ = buffer_cache_limit();
    release_cached_buffers();
  }
  void TearDown() override { set_buffer_cache_limit(saved_limit_); }

  std::size_t saved_limit_ = 0;
};

TEST_F(BufferCacheTest, LargeFreedStorageIsReusedForTheSameSize) {
  set_buffer_cache_limit(64 << 20);
  const Shape shape{64, 144, 14, 14};
  const float* first = nullptr;
  {
    Tensor t(shape);
    first = t.data();
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first) % 64, 0U);
  }
  EXPECT_EQ(cached_buffer_bytes(), static_cast<std::size_t>(shape.numel()) * sizeof(float));
  Tensor again = Tensor::uninitialized(shape);
  EXPECT_EQ(again.data(), first);
  EXPECT_EQ(cached_buffer_bytes(), 0U);
}

TEST_F(BufferCacheTest, ReusedStorageIsStillZeroFilledWhenAskedFor) {
  { Tensor t({1 << 16}, 5.0F); }
  Tensor zeros({1 << 16});
  EXPECT_EQ(zeros.array().abs().maxCoeff(), 0.0F);
}

TEST_F(BufferCacheTest, LimitBoundsWhatIsKept) {
  set_buffer_cache_limit(1 << 20);
  { Tensor big({1 << 20}); }  // 4 MiB: more than the limit, goes back to the system
  EXPECT_EQ(cached_buffer_bytes(), 0U);
  { Tensor fits({1 << 17}); }  // 512 KiB
  EXPECT_EQ(cached_buffer_bytes(), std::size_t{1} << 19);
  set_buffer_cache_limit(0);
  EXPECT_EQ(cached_buffer_bytes(), 0U);
}

TEST_F(BufferCacheTest, SizesUnusedLongestMakeRoomForNewOnes) {
  set_buffer_cache_limit(1 << 20);
  { Tensor stale({1 << 17}); }   // 512 KiB, freed first
  { Tensor recent({1 << 16}); }  // 256 KiB
  const float* kept = nullptr;
  {
    Tensor other_size({(1 << 17) + 1024});  // 516 KiB: fits only once the stale block goes
    kept = other_size.data();
  }
  EXPECT_EQ(cached_buffer_bytes(), std::size_t{(1 << 16) + (1 << 17) + 1024} * sizeof(float));
  Tensor again = Tensor::uninitialized(Shape{(1 << 17) + 1024});
  EXPECT_EQ(again.data(), kept);
}

}  // namespace
}  // namespace hwnas
