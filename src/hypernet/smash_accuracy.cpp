#include "hwnas/hypernet/smash_accuracy.hpp"

#include <chrono>
#include <utility>

#include "hwnas/train/bn_recalibration.hpp"

namespace hwnas::hypernet {

SmashAccuracy::SmashAccuracy(std::shared_ptr<SmashHypernet> hypernet,
                             std::shared_ptr<const data::LabelledImages> validation, std::vector<Tensor> calibration,
                             std::int64_t batch_size)
    : hypernet_(std::move(hypernet)),
      validation_(std::move(validation)),
      calibration_(std::move(calibration)),
      batch_size_(batch_size) {
  HWNAS_CHECK_CONFIG(hypernet_ != nullptr && validation_ != nullptr && !validation_->labels.empty() &&
                         !calibration_.empty() && batch_size_ >= 1,
                     "SMASH accuracy: needs a hypernetwork, validation images, recalibration batches and a batch "
                     "size >= 1 (got {})",
                     batch_size_);
}

estimate::Estimate SmashAccuracy::estimate(const space::OfaFmnistArch& arch) const {
  const auto start = std::chrono::steady_clock::now();
  const std::shared_ptr<nn::Module> network = hypernet_->extract(arch);
  estimate::Estimate e = train::recalibrated_accuracy(*network, *validation_, calibration_, batch_size_, start);
  e.cost.forward_passes += 1;  // the generator
  return e;
}

estimate::Estimate SmashAccuracy::estimate(const space::AnyArch& arch) const {
  return estimate(arch.get<space::OfaFmnistArch>("SMASH accuracy (ofa-fmnist only)"));
}

}  // namespace hwnas::hypernet
