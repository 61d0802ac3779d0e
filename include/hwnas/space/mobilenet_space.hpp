#pragma once
/// \file
/// What the `ofa-fmnist` and `proxyless` spaces share: networks on the
/// Fashion-MNIST MobileNet skeleton (`models::fmnist_mobilenet`), four
/// stages of four searchable blocks, described by each space's
/// `config(arch)`.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hwnas/models/mobilenet.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::space::detail {

inline constexpr std::size_t fmnist_stage_count = 4;
inline constexpr std::size_t fmnist_blocks_per_stage = 4;

/// Network, layer summary, MACs and parameters of a space whose
/// architectures map to a `models::MobileNetConfig` through `Space::config`.
template <class Space, class Arch>
class MobileNetSpace {
 public:
  template <Scalar T = float>
  [[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> build(const Arch& arch) const {
    return models::mobilenet<T>(self().config(arch));
  }
  [[nodiscard]] std::vector<models::LayerSummary> summary(const Arch& arch) const {
    return models::mobilenet_summary(self().config(arch));
  }
  [[nodiscard]] std::int64_t macs(const Arch& arch) const { return models::total_macs(summary(arch)); }
  [[nodiscard]] std::int64_t params(const Arch& arch) const { return models::total_params(summary(arch)); }

 private:
  [[nodiscard]] const Space& self() const { return static_cast<const Space&>(*this); }
};

}  // namespace hwnas::space::detail
