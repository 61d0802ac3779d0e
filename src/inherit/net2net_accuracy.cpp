#include "hwnas/inherit/net2net_accuracy.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/inherit/morph_network.hpp"
#include "hwnas/inherit/morphism.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/train/metrics.hpp"
#include "hwnas/train/trainer.hpp"

namespace hwnas::inherit {
namespace {

/// What each estimate derives from its own stream.
enum class Stream : std::uint64_t { morph, fine_tuning, root_init, root_training };

std::uint64_t stream_seed(std::uint64_t estimate_seed, Stream stream) {
  return derive_seed(estimate_seed, static_cast<std::uint64_t>(stream));
}

void add_training(estimate::EstimateCost& cost, const train::TrainResult& result, const train::TrainOptions& options) {
  cost.images += result.steps * options.batch_size();
  cost.forward_passes += result.steps;
  cost.backward_passes += result.steps;
}

void add_evaluation(estimate::EstimateCost& cost, std::int64_t images, std::int64_t batch_size) {
  cost.images += images;
  cost.forward_passes += (images + batch_size - 1) / batch_size;
}

}  // namespace

Net2NetAccuracy::Net2NetAccuracy(std::shared_ptr<const data::LabelledImages> train,
                                 std::shared_ptr<const data::LabelledImages> validation, Net2NetOptions options)
    : train_(std::move(train)), validation_(std::move(validation)), options_(std::move(options)) {
  HWNAS_CHECK_CONFIG(train_ && !train_->labels.empty() && validation_ && !validation_->labels.empty(),
                     "net2net accuracy: needs training and validation images");
  HWNAS_CHECK_CONFIG(options_.pool_capacity() >= 1, "net2net accuracy: the pool capacity must be at least 1, got {}",
                     options_.pool_capacity());
  options_.root_training().validate();
  options_.fine_tuning().validate();
}

estimate::Estimate Net2NetAccuracy::estimate(const space::AnyArch& arch) {
  return estimate(arch.get<space::OfaFmnistArch>("net2net accuracy (ofa-fmnist only)"));
}

estimate::Estimate Net2NetAccuracy::estimate(const space::OfaFmnistArch& arch) {
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t seed = derive_seed(options_.seed(), estimates_++);
  const std::string canonical = space::OfaFmnistSpace{}.canonical(arch);
  estimate::Estimate e;
  std::int64_t ancestor = nearest_ancestor(arch);
  if (ancestor < 0) ancestor = add_root(arch.r, seed, e.cost);
  const PooledNetwork from = pool_[static_cast<std::size_t>(ancestor)];  // pooling the child moves the entries
  if (from.canonical == canonical) {
    e.value = from.accuracy;
  } else {
    const auto path = morphism_path(from.arch, arch);
    HWNAS_ASSERT(path.has_value());
    Rng rng(stream_seed(seed, Stream::morph));
    auto child = morph_network(from.arch, *from.network, *path, rng);
    train_and_pool(arch, std::move(child), options_.fine_tuning(), stream_seed(seed, Stream::fine_tuning), false,
                   e.cost);
    e.value = pool_.back().accuracy;
    evict();
  }
  e.cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

std::int64_t Net2NetAccuracy::nearest_ancestor(const space::OfaFmnistArch& arch) const {
  std::int64_t best = -1;
  std::int64_t best_distance = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < pool_.size(); ++i) {
    const auto distance = morphism_distance(pool_[i].arch, arch);
    if (distance && *distance <= best_distance) {
      best = static_cast<std::int64_t>(i);
      best_distance = *distance;
    }
  }
  return best;
}

std::int64_t Net2NetAccuracy::add_root(std::int64_t resolution, std::uint64_t seed, estimate::EstimateCost& cost) {
  const space::OfaFmnistArch root = morphism_root(resolution);
  auto network = space::OfaFmnistSpace{}.build(root);
  Rng rng(stream_seed(seed, Stream::root_init));
  nn::init::default_init(*network, rng);
  train_and_pool(root, std::move(network), options_.root_training(), stream_seed(seed, Stream::root_training), true,
                 cost);
  return static_cast<std::int64_t>(pool_.size()) - 1;
}

void Net2NetAccuracy::train_and_pool(const space::OfaFmnistArch& arch, std::shared_ptr<nn::Sequential> network,
                                     train::TrainOptions options, std::uint64_t seed, bool root,
                                     estimate::EstimateCost& cost) {
  options.seed(seed);
  if (options.train_subset() > std::ssize(train_->labels)) options.train_subset(0);
  train::Trainer trainer(network, options);
  const train::TrainResult result = trainer.fit(*train_, nullptr);
  add_training(cost, result, options);
  PooledNetwork entry;
  entry.arch = arch;
  entry.canonical = space::OfaFmnistSpace{}.canonical(arch);
  entry.root = root;
  if (result.status == train::TrainStatus::diverged) {
    entry.accuracy = std::numeric_limits<double>::quiet_NaN();
  } else {
    entry.accuracy = trainer.evaluate(*validation_).accuracy;
    add_evaluation(cost, std::ssize(validation_->labels), options.eval_batch_size());
  }
  entry.network = std::move(network);
  pool_.push_back(std::move(entry));
}

void Net2NetAccuracy::evict() {
  while (std::ssize(pool_) > options_.pool_capacity()) {
    const auto oldest = std::ranges::find_if(pool_, [](const PooledNetwork& p) { return !p.root; });
    if (oldest == pool_.end()) return;
    pool_.erase(oldest);
  }
}

}  // namespace hwnas::inherit
