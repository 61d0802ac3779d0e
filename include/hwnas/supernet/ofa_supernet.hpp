#pragma once
/// \file
/// `OfaSupernet`: the Once-for-All supernet of the `ofa-fmnist` space
/// (../shared/spec/spaces.md, ../shared/spec/ofa.md). One set of weights at
/// the largest setting (kernel 7, expand 6, depth 4) serves every
/// architecture of the space through weight sharing:
///
///     supernet::OfaSupernet supernet;
///     nn::init::default_init(supernet, rng);
///     supernet.set_active(space.sample(rng));
///     auto logits = supernet(images);              // runs the active subnet only
///     auto net = supernet.extract(arch);           // a standalone models::mobilenet
///
/// Elastic resolution resizes the input; elastic depth runs the first d
/// blocks of each stage; elastic width and kernel size are the blocks' own
/// (`ElasticMBConv`). Children: `stem_conv`, `stem_bn`, `blocks` (16
/// ElasticMBConv, stage by stage, named "0" to "15"), `head_conv`,
/// `head_bn`, `classifier`; the fixed layers carry the names they have in
/// `models::mobilenet`, so `blocks.5.expand_conv.weight` or
/// `head_bn.running_var` name the same weights in state files.
///
/// The blocks' batch norms run on their leading entries through
/// `nn::leading_batch_norm2d`, not as modules of their own, so forward hooks
/// (and `train::recalibrate_batch_norm`) do not see them: recalibrate the
/// network `extract` returns, as Once-for-All recalibrates a copy.

#include <memory>
#include <string>
#include <vector>

#include "hwnas/supernet/elastic_mbconv.hpp"
#include "hwnas/models/mobilenet.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace hwnas::supernet {

/// See the file comment. Built with zero weights like every layer
/// (initialise with `nn::init::default_init`), kernel transforms at the
/// identity, and `space().largest()` active.
template <Scalar T>
class BasicOfaSupernet : public nn::BasicModule<T> {
 public:
  using Arch = space::OfaFmnistArch;

  BasicOfaSupernet();

  /// The active subnet applied to images [N, 1, 28, 28] (other sizes are
  /// resized as `models::mobilenet` would).
  BasicVariable<T> forward(const BasicVariable<T>& x) override;
  [[nodiscard]] std::string type_name() const override { return "OfaSupernet"; }

  /// Selects the subnet `forward` runs: each block's kernel size and expand
  /// ratio, each stage's depth, the resolution. ConfigError (naming the
  /// entry) for a value outside the space.
  void set_active(const Arch& arch);
  [[nodiscard]] const Arch& active() const { return active_; }

  /// A standalone network, `models::mobilenet<T>(space().config(arch))`,
  /// holding the weights `arch` uses here (transformed kernels, leading
  /// channels, batch-norm statistics): in evaluation mode it computes what
  /// this supernet computes with `arch` active. Leaves the active subnet as
  /// it is. ConfigError for an architecture outside the space.
  [[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> extract(const Arch& arch) const;

  /// Every block's `ElasticMBConv::reorganize_channels(expand_stage)`, with
  /// the space's expand ratios: the full network's function is unchanged.
  /// Once-for-All does this once at the start of each expand phase (stage 0,
  /// then 1). Optimizer state kept per parameter element no longer matches
  /// afterwards, so start a fresh optimizer.
  void reorganize_channels(std::int64_t expand_stage);

  /// The 16 blocks, stage by stage.
  [[nodiscard]] const std::vector<std::shared_ptr<BasicElasticMBConv<T>>>& blocks() const { return blocks_; }
  [[nodiscard]] const space::OfaFmnistSpace& space() const { return space_; }

 private:
  space::OfaFmnistSpace space_;
  /// The largest network's configuration: the fixed skeleton.
  models::MobileNetConfig skeleton_;
  Arch active_;
  std::shared_ptr<nn::BasicConv2d<T>> stem_conv_;
  std::shared_ptr<nn::BasicBatchNorm2d<T>> stem_bn_;
  std::shared_ptr<nn::BasicModule<T>> stem_act_;
  std::vector<std::shared_ptr<BasicElasticMBConv<T>>> blocks_;
  std::shared_ptr<nn::BasicConv2d<T>> head_conv_;
  std::shared_ptr<nn::BasicBatchNorm2d<T>> head_bn_;
  std::shared_ptr<nn::BasicLinear<T>> classifier_;
};

using OfaSupernet = BasicOfaSupernet<float>;
using OfaSupernetD = BasicOfaSupernet<double>;

extern template class BasicOfaSupernet<float>;
extern template class BasicOfaSupernet<double>;

}  // namespace hwnas::supernet
