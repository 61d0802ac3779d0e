#pragma once
/// \file
/// `Dropout`: inverted dropout in training mode, the identity in evaluation
/// mode. The layer owns its generator, seeded at construction, so a network's
/// masks are reproducible without threading an Rng through `forward`.

#include <cstdint>
#include <string>

#include "hwnas/core/ops/dropout.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

template <Scalar T>
class BasicDropout : public BasicModule<T> {
 public:
  /// Throws ConfigError unless 0 <= p < 1.
  explicit BasicDropout(double p, std::uint64_t seed = 0) : p_(p), rng_(seed) {
    HWNAS_CHECK_CONFIG(p >= 0.0 && p < 1.0, "Dropout: probability must be in [0, 1), got {}", p);
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    return hwnas::dropout(x, p_, rng_, this->is_training());
  }
  [[nodiscard]] std::string type_name() const override { return "Dropout"; }

  [[nodiscard]] double p() const { return p_; }
  /// Restarts the mask stream, e.g. to replay the same masks.
  void reseed(std::uint64_t seed) { rng_.reseed(seed); }

 private:
  double p_;
  Rng rng_;
};

using Dropout = BasicDropout<float>;

}  // namespace hwnas::nn
