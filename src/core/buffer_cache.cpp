#include "hwnas/core/buffer_cache.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <optional>
#include <unordered_map>
#include <vector>

#include "hwnas/core/detail/environment.hpp"

namespace hwnas {
namespace {

constexpr std::size_t kAlignment = 64;
// Smaller blocks are served well by the system allocator's own free lists.
// Larger ones, even of a few kilobytes, are cached: an inference at batch 1
// frees and allocates its activations every run, and the system allocator
// returns such memory to the kernel when the top of its heap is free, so the
// next run pays page faults for it (times that jump 2-3x from run to run).
constexpr std::size_t kSmallestCached = 4 * 1024;

constexpr std::size_t kMib = 1024 * 1024;
// The least the default limit allows, however little has been in use.
constexpr std::size_t kDefaultFloor = 256 * kMib;

/// The limit set by `HWNAS_BUFFER_CACHE_MB`, if any.
std::optional<std::size_t> environment_limit() {
  if (const auto megabytes = detail::environment_count("HWNAS_BUFFER_CACHE_MB")) return *megabytes * kMib;
  return std::nullopt;
}

class BufferCache {
 public:
  void* take(std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      in_use_ += bytes;
      peak_in_use_ = std::max(peak_in_use_, in_use_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.blocks.empty()) {
        void* block = it->second.blocks.back();
        it->second.blocks.pop_back();
        it->second.last_use = ++clock_;
        held_ -= bytes;
        return block;
      }
    }
    try {
      return ::operator new(bytes, std::align_val_t{kAlignment});
    } catch (const std::bad_alloc&) {
      std::lock_guard lock(mutex_);
      in_use_ -= bytes;
      throw;
    }
  }

  void give(void* block, std::size_t bytes) noexcept {
    {
      std::lock_guard lock(mutex_);
      in_use_ -= bytes;
      const std::size_t limit = effective_limit();
      if (bytes <= limit) {
        evict_until(limit - bytes, bytes);
        if (held_ + bytes <= limit) {
          try {
            SizeClass& size_class = free_[bytes];
            size_class.blocks.push_back(block);
            size_class.last_use = ++clock_;
            held_ += bytes;
            return;
          } catch (const std::bad_alloc&) {
            // No room to remember the block: free it instead.
          }
        }
      }
    }
    ::operator delete(block, std::align_val_t{kAlignment});
  }

  void set_limit(std::optional<std::size_t> bytes) {
    std::lock_guard lock(mutex_);
    fixed_limit_ = bytes;
    evict_until(effective_limit());
  }
  std::size_t limit() {
    std::lock_guard lock(mutex_);
    return effective_limit();
  }
  std::size_t held() {
    std::lock_guard lock(mutex_);
    return held_;
  }
  void release() {
    std::lock_guard lock(mutex_);
    evict_until(0);
  }

 private:
  /// Twice the peak by default: a training run alternates two working sets,
  /// its steps and its evaluation passes at another batch size, and a cache
  /// that holds only one of them evicts it for the other every epoch.
  [[nodiscard]] std::size_t effective_limit() const {
    return fixed_limit_ ? *fixed_limit_ : std::max(kDefaultFloor, 2 * peak_in_use_);
  }

  /// Frees cached blocks, those of the sizes used longest ago first, until at
  /// most `target` bytes are held; blocks of size `keep` stay.
  /// A program whose sizes change (a new batch size, another network) would
  /// otherwise fill the cache with sizes it no longer asks for and pay
  /// page faults for every new one.
  void evict_until(std::size_t target, std::size_t keep = 0) {
    while (held_ > target) {
      auto oldest = free_.end();
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->first != keep && !it->second.blocks.empty() &&
            (oldest == free_.end() || it->second.last_use < oldest->second.last_use))
          oldest = it;
      }
      if (oldest == free_.end()) return;
      for (auto& blocks = oldest->second.blocks; !blocks.empty() && held_ > target; blocks.pop_back()) {
        ::operator delete(blocks.back(), std::align_val_t{kAlignment});
        held_ -= oldest->first;
      }
      if (oldest->second.blocks.empty()) free_.erase(oldest);
    }
  }

  struct SizeClass {
    std::vector<void*> blocks;
    std::uint64_t last_use = 0;  ///< When a block of this size last came or went (`clock_`).
  };

  std::mutex mutex_;
  std::unordered_map<std::size_t, SizeClass> free_;
  std::uint64_t clock_ = 0;
  std::size_t held_ = 0;
  std::size_t in_use_ = 0;  ///< Cacheable storage handed out and not yet given back.
  std::size_t peak_in_use_ = 0;
  std::optional<std::size_t> fixed_limit_ = environment_limit();
};

BufferCache& cache() {
  // Never destroyed: tensors in static storage may be freed after main returns.
  static auto* instance = new BufferCache;
  return *instance;
}

}  // namespace

void set_buffer_cache_limit(std::size_t bytes) { cache().set_limit(bytes); }
void use_default_buffer_cache_limit() { cache().set_limit(environment_limit()); }
std::size_t buffer_cache_limit() { return cache().limit(); }
std::size_t cached_buffer_bytes() { return cache().held(); }
void release_cached_buffers() { cache().release(); }

namespace detail {

void* allocate_buffer(std::size_t bytes) {
  if (bytes < kSmallestCached) return ::operator new(bytes, std::align_val_t{kAlignment});
  return cache().take(bytes);
}

void free_buffer(void* block, std::size_t bytes) noexcept {
  if (block == nullptr) return;
  if (bytes < kSmallestCached) {
    ::operator delete(block, std::align_val_t{kAlignment});
    return;
  }
  cache().give(block, bytes);
}

}  // namespace detail
}  // namespace hwnas
