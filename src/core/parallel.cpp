#include "hwnas/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hwnas/core/detail/environment.hpp"

namespace hwnas {
namespace {

thread_local bool inside_parallel_region = false;

int default_thread_count() {
  if (const auto n = detail::environment_count("HWNAS_NUM_THREADS"); n && *n > 0 && *n <= 4096) {
    return static_cast<int>(*n);
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

/// Persistent workers that execute one parallel_for at a time. A second caller
/// arriving while a loop runs (e.g. from a user's own threads) runs its loop
/// serially instead of waiting.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) { start(threads); }
  ~ThreadPool() { stop(); }

  int size() const { return threads_; }

  void resize(int threads) {
    std::lock_guard busy(busy_);
    stop();
    start(threads);
  }

  void run(std::int64_t begin, std::int64_t end, std::int64_t grain,
           const std::function<void(std::int64_t, std::int64_t)>& body) {
    if (end <= begin) return;
    const std::int64_t span = end - begin;
    const std::int64_t max_chunks = (span + std::max<std::int64_t>(grain, 1) - 1) / std::max<std::int64_t>(grain, 1);
    const std::int64_t chunks = std::min<std::int64_t>(threads_, max_chunks);
    std::unique_lock busy(busy_, std::try_to_lock);
    if (chunks <= 1 || inside_parallel_region || !busy.owns_lock()) {
      run_serially(begin, end, body);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      body_ = &body;
      begin_ = begin;
      end_ = end;
      chunks_ = chunks;
      next_chunk_ = 0;
      pending_ = chunks;
      pending_done_.store(false, std::memory_order_relaxed);
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    spin_until([&] { return pending_done_.load(std::memory_order_acquire); });
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static void run_serially(std::int64_t begin, std::int64_t end,
                           const std::function<void(std::int64_t, std::int64_t)>& body) {
    const bool was_inside = inside_parallel_region;
    inside_parallel_region = true;
    try {
      body(begin, end);
    } catch (...) {
      inside_parallel_region = was_inside;
      throw;
    }
    inside_parallel_region = was_inside;
  }

  void start(int threads) {
    threads_ = std::max(1, threads);
    quit_ = false;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  /// Polls `ready` for a short while before the caller blocks: waking a
  /// sleeping thread costs tens of microseconds (more on virtual machines),
  /// longer than many kernels' parallel loops take.
  template <class Ready>
  static void spin_until(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (!ready() && std::chrono::steady_clock::now() < until) {
    }
  }

  void worker_loop() {
    inside_parallel_region = true;
    std::uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return quit_ || generation_.load(std::memory_order_relaxed) != seen; });
        if (quit_) return;
        seen = generation_.load(std::memory_order_relaxed);
      }
      work();
    }
  }

  /// Claims chunks of the current loop until none are left.
  void work() {
    const bool was_inside = inside_parallel_region;
    inside_parallel_region = true;
    for (;;) {
      std::int64_t chunk = 0;
      {
        std::lock_guard lock(mutex_);
        if (body_ == nullptr || next_chunk_ >= chunks_) break;
        chunk = next_chunk_++;
      }
      const std::int64_t span = end_ - begin_;
      const std::int64_t lo = begin_ + span * chunk / chunks_;
      const std::int64_t hi = begin_ + span * (chunk + 1) / chunks_;
      std::exception_ptr error;
      try {
        (*body_)(lo, hi);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      if (error && !error_) error_ = error;
      if (--pending_ == 0) {
        pending_done_.store(true, std::memory_order_release);
        done_.notify_all();
      }
    }
    inside_parallel_region = was_inside;
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex busy_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(std::int64_t, std::int64_t)>* body_ = nullptr;
  std::int64_t begin_ = 0, end_ = 0, chunks_ = 0, next_chunk_ = 0, pending_ = 0;
  std::atomic<std::uint64_t> generation_ = 0;
  std::atomic<bool> pending_done_ = false;
  std::exception_ptr error_;
  bool quit_ = false;
};

ThreadPool& pool() {
  static ThreadPool instance(default_thread_count());
  return instance;
}

}  // namespace

int num_threads() { return pool().size(); }

void set_num_threads(int n) {
  const int wanted = n > 0 ? n : default_thread_count();
  if (wanted != pool().size()) pool().resize(wanted);
}

void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body) {
  pool().run(begin, end, grain, body);
}

}  // namespace hwnas
