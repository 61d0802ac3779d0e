#pragma once
/// \file
/// The kernels' thread pool. Its size comes from `HWNAS_NUM_THREADS` (default:
/// all hardware threads) and can be changed at run time with `set_num_threads`.

#include <concepts>
#include <cstdint>
#include <functional>

namespace hwnas {

/// Threads kernels use (>= 1).
[[nodiscard]] int num_threads();

/// Sets the threads kernels use; `n <= 0` restores the default.
void set_num_threads(int n);

/// Runs `body(lo, hi)` over disjoint chunks covering [begin, end), spread over
/// the pool; chunks hold at least `grain` indices. Calls made from inside a
/// running body execute serially on the calling thread, so kernels can nest
/// freely. Blocks until every chunk is done; rethrows the first exception.
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body);

/// Whether `part` (an estimator, a cost model) promises that concurrent calls
/// are safe, through a `thread_safe()` member; parts without one are not.
template <class Part>
[[nodiscard]] bool is_thread_safe(const Part& part) {
  if constexpr (requires { { part.thread_safe() } -> std::convertible_to<bool>; })
    return part.thread_safe();
  else
    return false;
}

/// Sets the thread count for a scope and restores the previous one after.
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int n) : previous_(num_threads()) { set_num_threads(n); }
  ~ThreadCountGuard() { set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

}  // namespace hwnas
