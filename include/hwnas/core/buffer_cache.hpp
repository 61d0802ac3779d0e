#pragma once
/// \file
/// Where tensor storage comes from. Training allocates the same activation and
/// gradient sizes every step; handing freed large blocks back to the next
/// request of the same size avoids the fresh zero pages (and page faults)
/// that the system allocator would map each time, which on small machines
/// costs more than the arithmetic of many kernels (see docs/benchmarks.md).

#include <cstddef>

namespace hwnas {

/// Bytes of freed tensor storage kept for reuse; 0 turns the cache off.
/// Lowering it frees the excess. By default (unless `HWNAS_BUFFER_CACHE_MB`
/// fixes it) the limit follows the program: 256 MiB, or twice the most
/// cacheable storage that has been in use at once if that is more, so that a
/// training step whose working set is larger still finds every block of the
/// previous step, and evaluation passes at another batch size find theirs (a
/// cache holding less hands the excess back to the system, and the next step
/// pays page faults for all of it again).
void set_buffer_cache_limit(std::size_t bytes);
[[nodiscard]] std::size_t buffer_cache_limit();

/// Returns to the default limit that follows the program's peak use.
void use_default_buffer_cache_limit();

/// Bytes currently held by the cache, not in use by any tensor.
[[nodiscard]] std::size_t cached_buffer_bytes();

/// Returns every cached block to the system.
void release_cached_buffers();

namespace detail {

/// 64-byte aligned storage of `bytes` bytes (a block of the same size freed
/// earlier when one is cached).
[[nodiscard]] void* allocate_buffer(std::size_t bytes);

/// Gives back storage from `allocate_buffer(bytes)`.
void free_buffer(void* block, std::size_t bytes) noexcept;

}  // namespace detail
}  // namespace hwnas
