#pragma once
/// \file
/// `SmashAccuracy`: the SMASH estimate of an architecture's accuracy, the
/// validation accuracy of the network with the weights a trained
/// hypernetwork generates for it, without further training. As for
/// inherited supernet weights, the generated network is extracted and its
/// batch norms recalibrated on a fixed set of training batches first (the
/// hypernetwork's running statistics fit whichever architecture it saw last).
/// An `AccuracyEstimator` of `ofa-fmnist`:
///
///     SmashAccuracy estimator(hypernet, validation, train::recalibration_batches(train, 2000, 200, seed));
///     Estimate e = estimator.estimate(arch);   // e.value: validation accuracy in [0, 1]

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "hwnas/core/tensor.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/hypernet/smash_hypernet.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::hypernet {

class SmashAccuracy {
 public:
  /// Validation runs `batch_size` images per pass. ConfigError for no
  /// hypernetwork, no validation images, no recalibration batches or a
  /// batch size below 1.
  SmashAccuracy(std::shared_ptr<SmashHypernet> hypernet, std::shared_ptr<const data::LabelledImages> validation,
                std::vector<Tensor> calibration, std::int64_t batch_size = 100);

  [[nodiscard]] std::string_view name() const { return "smash"; }
  /// Generation is serialised by the hypernetwork (`SmashHypernet::extract`);
  /// each estimate then works on its own extracted network. Do not train the
  /// hypernetwork while estimating.
  [[nodiscard]] bool thread_safe() const { return true; }

  /// Cost: one forward pass of the generator, then the recalibration and
  /// validation passes and their images.
  [[nodiscard]] estimate::Estimate estimate(const space::OfaFmnistArch& arch) const;
  /// The same for an `ofa-fmnist` architecture behind a `space::AnyArch`;
  /// ConfigError for another space's.
  [[nodiscard]] estimate::Estimate estimate(const space::AnyArch& arch) const;

 private:
  std::shared_ptr<SmashHypernet> hypernet_;
  std::shared_ptr<const data::LabelledImages> validation_;
  std::vector<Tensor> calibration_;
  std::int64_t batch_size_;
};

}  // namespace hwnas::hypernet
