#pragma once
/// \file
/// `MacCounter`: counts the multiply-accumulates of the conv2d and linear ops
/// that run forward on this thread while it is alive, the MACs convention of
/// the search spaces (BN, activations, pooling and adds excluded):
///
///     MacCounter counter;
///     net(Variable(Tensor(Shape{1, 1, 28, 28})));
///     std::int64_t macs = counter.macs();
///
/// Counting what actually runs makes the figure right for any network,
/// including supernets with an active subnet, without a second description
/// of its shapes. Counters nest: each live counter on the thread counts.

#include <cstdint>

namespace hwnas {

class MacCounter {
 public:
  MacCounter() : previous_(active()) { active() = this; }
  ~MacCounter() { active() = previous_; }
  MacCounter(const MacCounter&) = delete;
  MacCounter& operator=(const MacCounter&) = delete;

  /// MACs counted since construction or the last `reset`.
  [[nodiscard]] std::int64_t macs() const { return macs_; }
  void reset() { macs_ = 0; }

  /// Adds `macs` to every live counter on this thread; called by the ops.
  static void record(std::int64_t macs) {
    for (MacCounter* c = active(); c != nullptr; c = c->previous_) c->macs_ += macs;
  }

 private:
  static MacCounter*& active() {
    thread_local MacCounter* innermost = nullptr;
    return innermost;
  }

  MacCounter* previous_;
  std::int64_t macs_ = 0;
};

}  // namespace hwnas
