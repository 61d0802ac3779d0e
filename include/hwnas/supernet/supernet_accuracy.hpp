#pragma once
/// \file
/// `SupernetAccuracy`: a subnet's accuracy with the weights it inherits from a
/// trained supernet, as Once-for-All estimates it: the subnet is extracted,
/// its batch norms recalibrated on a fixed set of training batches, and its
/// top-1 accuracy measured on the validation images. An `AccuracyEstimator`
/// of `ofa-fmnist`:
///
///     SupernetAccuracy estimator(supernet, validation, recalibration_batches(train, 2000, 200, seed));
///     Estimate e = estimator.estimate(arch);   // e.value: validation accuracy in [0, 1]

#include <chrono>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/tensor.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/supernet/progressive_shrinking.hpp"
#include "hwnas/train/bn_recalibration.hpp"

namespace hwnas::supernet {

template <ElasticSupernet Supernet>
class SupernetAccuracy {
 public:
  /// Validation runs `batch_size` images per pass (train::evaluate's default;
  /// see there). ConfigError for no validation images or no recalibration
  /// batches.
  SupernetAccuracy(std::shared_ptr<const Supernet> supernet, std::shared_ptr<const data::LabelledImages> validation,
                   std::vector<Tensor> calibration, std::int64_t batch_size = 100)
      : supernet_(std::move(supernet)),
        validation_(std::move(validation)),
        calibration_(std::move(calibration)),
        batch_size_(batch_size) {
    HWNAS_CHECK_CONFIG(supernet_ != nullptr && validation_ != nullptr && !validation_->labels.empty() &&
                           !calibration_.empty() && batch_size_ >= 1,
                       "supernet accuracy: needs a supernet, validation images and recalibration batches");
  }

  [[nodiscard]] std::string_view name() const { return "supernet"; }
  /// Each estimate works on its own extracted copy of the subnet.
  [[nodiscard]] bool thread_safe() const { return true; }

  [[nodiscard]] estimate::Estimate estimate(const space::OfaFmnistArch& arch) const {
    const auto start = std::chrono::steady_clock::now();
    const std::shared_ptr<nn::Module> subnet = supernet_->extract(arch);
    return train::recalibrated_accuracy(*subnet, *validation_, calibration_, batch_size_, start);
  }

  /// The same for an `ofa-fmnist` architecture behind a `space::AnyArch`, so
  /// that the estimator also serves searches over `space::AnySpace`;
  /// ConfigError for another space's.
  [[nodiscard]] estimate::Estimate estimate(const space::AnyArch& arch) const {
    return estimate(arch.get<space::OfaFmnistArch>("supernet accuracy (ofa-fmnist only)"));
  }

 private:
  std::shared_ptr<const Supernet> supernet_;
  std::shared_ptr<const data::LabelledImages> validation_;
  std::vector<Tensor> calibration_;
  std::int64_t batch_size_;
};

}  // namespace hwnas::supernet
