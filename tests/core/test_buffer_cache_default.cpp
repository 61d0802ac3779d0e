#include <gtest/gtest.h>

#include <vector>

#include "hwnas/core/buffer_cache.hpp"
#include "hwnas/core/tensor.hpp"

namespace hwnas {
namespace {

TEST(BufferCacheDefault, KeepsAWorkingSetLargerThanTheFloor) {
  use_default_buffer_cache_limit();
  release_cached_buffers();
  // 320 MiB in use at once (never touched, so no memory is actually mapped):
  // more than the 256 MiB floor, and all of it is kept when freed.
  constexpr std::int64_t block = std::int64_t{16} << 20;  // floats: 64 MiB
  {
    std::vector<Tensor> working_set;
    for (int i = 0; i < 5; ++i) working_set.push_back(Tensor::uninitialized(Shape{block}));
  }
  EXPECT_EQ(cached_buffer_bytes(), std::size_t{5} * block * sizeof(float));
  EXPECT_GE(buffer_cache_limit(), std::size_t{5} * block * sizeof(float));
  // A fixed limit replaces the default and trims to it.
  set_buffer_cache_limit(std::size_t{64} << 20);
  EXPECT_EQ(cached_buffer_bytes(), std::size_t{64} << 20);
  use_default_buffer_cache_limit();
  release_cached_buffers();
  EXPECT_EQ(cached_buffer_bytes(), 0U);
}

}  // namespace
}  // namespace hwnas
