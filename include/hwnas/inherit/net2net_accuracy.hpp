#pragma once
/// \file
/// `Net2NetAccuracy`: accuracy by weight inheritance (Cai et al. AAAI 2018;
/// Elsken et al. 2017). Trained networks are kept in a pool; an
/// architecture is estimated by carrying its nearest trained ancestor along
/// the shortest morphism path to it (function-preserving, so the child
/// starts where the ancestor ended), fine-tuning the child briefly and
/// measuring its validation accuracy. An `AccuracyEstimator` of
/// `ofa-fmnist`:
///
///     Net2NetAccuracy estimator(train, validation,
///                               Net2NetOptions{}.fine_tuning(train::TrainOptions{}.train_subset(2000)).seed(1));
///     Estimate e = estimator.estimate(arch);   // e.value: validation accuracy in [0, 1]
///
/// - The nearest ancestor is the pooled network with the shortest
///   `morphism_path` to the architecture (the newest on ties). When none
///   is an ancestor, the root of the architecture's resolution (every block
///   k3e3, every stage depth 2, from which every architecture at that
///   resolution is reachable) is trained from scratch with the root options
///   and pooled; its cost counts in that estimate.
/// - The child is pooled after fine-tuning. When the pool holds more than
///   its capacity, the oldest entries that are not roots leave first
///   (roots stay: they make every architecture reachable).
/// - An architecture already in the pool (same canonical string) returns
///   its recorded accuracy at the cost of the lookup.
/// - A training run whose loss diverges gives NaN; the network is pooled
///   all the same (the trainer never applies a non-finite step).
/// - Deterministic for a seed: the n-th estimate draws its randomness
///   (widening maps, new blocks, initialisation, training order) from
///   seeds derived from (seed, n); the `seed` of both TrainOptions is
///   replaced by such a derived seed, and their `train_subset` is capped at
///   the training set's size.
///
/// Estimates change the pool, so the estimator is not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/core/arg.hpp"
#include "hwnas/data/idx.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/train/options.hpp"

namespace hwnas::inherit {

class Net2NetOptions {
  /// Training of a root from scratch.
  HWNAS_ARG(train::TrainOptions, root_training, train::TrainOptions{}.epochs(1))
  /// Fine-tuning of each child after it inherits: one pass over a few thousand images.
  HWNAS_ARG(train::TrainOptions, fine_tuning, train::TrainOptions{}.epochs(1).train_subset(3000).lr(0.02))
  /// Networks kept (roots may exceed it: they are never evicted).
  HWNAS_ARG(std::int64_t, pool_capacity, 32)
  HWNAS_ARG(std::uint64_t, seed, 0)
};

/// One network in the pool, as `Net2NetAccuracy::pool` lists it.
struct PooledNetwork {
  space::OfaFmnistArch arch;
  std::string canonical;
  /// Validation accuracy when it was pooled (NaN when its training diverged).
  double accuracy = 0.0;
  bool root = false;
  std::shared_ptr<const nn::Sequential> network;
};

class Net2NetAccuracy {
 public:
  /// ConfigError for missing or empty data, invalid training options or a
  /// pool capacity below 1.
  Net2NetAccuracy(std::shared_ptr<const data::LabelledImages> train,
                  std::shared_ptr<const data::LabelledImages> validation, Net2NetOptions options = {});

  [[nodiscard]] std::string_view name() const { return "net2net"; }
  /// Estimates add to the pool.
  [[nodiscard]] bool thread_safe() const { return false; }
  [[nodiscard]] const Net2NetOptions& options() const { return options_; }

  /// Validation accuracy after inheriting and fine-tuning (see the file comment).
  [[nodiscard]] estimate::Estimate estimate(const space::OfaFmnistArch& arch);
  /// The same for an `ofa-fmnist` architecture behind a `space::AnyArch`;
  /// ConfigError for another space's.
  [[nodiscard]] estimate::Estimate estimate(const space::AnyArch& arch);

  /// The pooled networks, oldest first.
  [[nodiscard]] const std::vector<PooledNetwork>& pool() const { return pool_; }

 private:
  /// The index of the pooled network nearest `arch` by morphism distance, or -1.
  [[nodiscard]] std::int64_t nearest_ancestor(const space::OfaFmnistArch& arch) const;
  /// Trains the root at `resolution` (seeded from `seed`), pools it and returns its index.
  std::int64_t add_root(std::int64_t resolution, std::uint64_t seed, estimate::EstimateCost& cost);
  /// Trains `network` with `options` (seeded from `seed`), measures it and pools it as `arch`.
  void train_and_pool(const space::OfaFmnistArch& arch, std::shared_ptr<nn::Sequential> network,
                      train::TrainOptions options, std::uint64_t seed, bool root, estimate::EstimateCost& cost);
  void evict();

  std::shared_ptr<const data::LabelledImages> train_;
  std::shared_ptr<const data::LabelledImages> validation_;
  Net2NetOptions options_;
  std::vector<PooledNetwork> pool_;
  std::uint64_t estimates_ = 0;
};

}  // namespace hwnas::inherit
