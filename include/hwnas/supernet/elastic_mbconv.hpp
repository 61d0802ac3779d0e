#pragma once
/// \file
/// `ElasticMBConv`: one MBConv block of a Once-for-All supernet
/// (../shared/spec/ofa.md §1-2). It stores one set of weights at its largest
/// kernel size and expand ratio and runs any (kernel, expand) pair it serves:
///
///     supernet::ElasticMBConv block(supernet::ElasticMBConvSpec{24, 40}.stride(2).se(true));
///     block.set_active({.kernel_size = 5, .expand = 4});
///     auto y = block(x);
///
/// With mid = in * expand, the active block is `nn::MBConv` at that kernel
/// and expand ratio, made of:
/// - the first mid output rows of the expand 1x1 conv and the first mid
///   entries of its batch norm (parameters and running statistics);
/// - the first mid depthwise kernels, at a smaller size derived from the
///   stored largest one through learned, identity-initialised matrices shared
///   by all channels (`nn::transform_kernel`), and the first mid entries of
///   their batch norm;
/// - squeeze-excite on the first mid channels with the first
///   make_divisible(mid / 4, 8) hidden units;
/// - the first mid input columns of the projection 1x1 conv.
///
/// Children and parameters are named as in `nn::MBConv` (`expand_conv`,
/// `expand_bn`, `depthwise_conv`, `depthwise_bn`, `se`, `project_conv`,
/// `project_bn`), plus the block's own `kernel_transform_7to5`-style
/// matrices, one per pair of neighbouring kernel sizes.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hwnas/core/arg.hpp"
#include "hwnas/models/mobilenet.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/mbconv.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/squeeze_excite.hpp"

namespace hwnas::supernet {

/// `ElasticMBConvSpec{in, out}.stride(2).activation(nn::Activation::hswish).se(true)`,
/// with the kernel sizes and expand ratios the block serves.
class ElasticMBConvSpec {
 public:
  ElasticMBConvSpec(std::int64_t in_channels, std::int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}

  /// Stride of the depthwise conv.
  HWNAS_ARG(std::int64_t, stride, 1)
  HWNAS_ARG(nn::Activation, activation, nn::Activation::relu)
  /// Whether a squeeze-excite follows the depthwise conv.
  HWNAS_ARG(bool, se, false)
  /// Odd kernel sizes in ascending order; the largest is stored.
  HWNAS_ARG(std::vector<std::int64_t>, kernel_sizes, (std::vector<std::int64_t>{3, 5, 7}))
  /// Expand ratios above 1 in ascending order; the largest is stored.
  HWNAS_ARG(std::vector<std::int64_t>, expand_ratios, (std::vector<std::int64_t>{3, 4, 6}))

 public:
  [[nodiscard]] std::int64_t in_channels() const { return in_channels_; }
  [[nodiscard]] std::int64_t out_channels() const { return out_channels_; }
  /// The middle width at expand ratio `expand`.
  [[nodiscard]] std::int64_t mid_channels(std::int64_t expand) const { return in_channels_ * expand; }
  /// The stored (largest) middle width.
  [[nodiscard]] std::int64_t max_mid_channels() const { return mid_channels(expand_ratios_.back()); }
  [[nodiscard]] std::int64_t max_kernel_size() const { return kernel_sizes_.back(); }

  friend bool operator==(const ElasticMBConvSpec&, const ElasticMBConvSpec&) = default;

 private:
  std::int64_t in_channels_;
  std::int64_t out_channels_;
};

/// A named tensor of a static network's state (a parameter or a buffer).
template <Scalar T>
using NamedTensor = std::pair<std::string, BasicTensor<T>>;

/// See the file comment. Starts at its largest kernel size and expand ratio.
template <Scalar T>
class BasicElasticMBConv : public nn::BasicModule<T> {
 public:
  /// ConfigError for non-positive channels or stride, kernel sizes that are
  /// not odd, positive and ascending, or expand ratios that are not above 1
  /// and ascending.
  explicit BasicElasticMBConv(ElasticMBConvSpec spec);

  /// The active block applied to `x` [N, in, H, W].
  BasicVariable<T> forward(const BasicVariable<T>& x) override;
  [[nodiscard]] std::string type_name() const override { return "ElasticMBConv"; }
  /// Kernel transforms back to the identity (the conv and batch-norm
  /// children reset their own parameters).
  void reset_parameters(Rng& rng) override;

  /// Selects the kernel size and expand ratio `forward` runs; ConfigError
  /// for a value the block does not serve.
  void set_active(models::MBConvChoice choice);
  [[nodiscard]] models::MBConvChoice active() const { return active_; }
  [[nodiscard]] const ElasticMBConvSpec& spec() const { return spec_; }

  /// The depthwise kernels of every stored channel at size `kernel_size`,
  /// [max_mid, 1, k, k]: the stored ones at the largest size, derived ones
  /// below it. ConfigError for a size the block does not serve.
  [[nodiscard]] BasicVariable<T> kernel(std::int64_t kernel_size) const;
  /// The learned matrix taking the centre of a `from`-size kernel to the
  /// next smaller size (a handle sharing the parameter). ConfigError unless
  /// `from` is a served size with a smaller one below it.
  [[nodiscard]] BasicVariable<T> kernel_transform(std::int64_t from) const;

  /// The spec of the static block equal to this one at `choice`.
  [[nodiscard]] nn::MBConvSpec static_spec(models::MBConvChoice choice) const;
  /// The parameters and buffers of that static `nn::MBConv`, named as its
  /// state (`expand_conv.weight`, `depthwise_bn.running_mean`, ...), with the
  /// values this block uses at `choice`.
  [[nodiscard]] std::vector<NamedTensor<T>> static_state(models::MBConvChoice choice) const;

  /// Once-for-All's re-ordering of the middle channels by importance (the
  /// L1 norm of each projection input column), most important first, every
  /// middle tensor permuted alike so the full block computes the same
  /// function. At `expand_stage` s > 0 the order is nested: with the widths
  /// of the expand ratios in descending order W0 > W1 > ..., the channels in
  /// [0, W_s), [W_s, W_{s-1}), ..., [W_1, W_0) stay in their band and are
  /// sorted within it, so a narrower setting trained earlier keeps its
  /// channels. Squeeze-excite hidden units are sorted separately by the L1
  /// norm of their expand-conv column. ConfigError unless 0 <= s < the
  /// number of expand ratios.
  void reorganize_channels(std::int64_t expand_stage);

 private:
  /// The weights the static block at a choice computes with, sliced (and,
  /// for the depthwise kernels, transformed) from the stored ones.
  struct Weights {
    BasicVariable<T> expand;
    BasicVariable<T> depthwise;
    BasicVariable<T> se_reduce;
    BasicVariable<T> se_reduce_bias;
    BasicVariable<T> se_expand;
    BasicVariable<T> se_expand_bias;
    BasicVariable<T> project;
  };
  [[nodiscard]] Weights weights(models::MBConvChoice choice) const;
  void check_choice(models::MBConvChoice choice) const;
  /// Position of `kernel_size` in the served sizes (ConfigError if absent).
  [[nodiscard]] std::size_t kernel_index(std::int64_t kernel_size) const;
  /// The derived kernels of `stored` [C, 1, K, K] at `kernel_size`.
  [[nodiscard]] BasicVariable<T> derive_kernel(const BasicVariable<T>& stored, std::int64_t kernel_size) const;

  ElasticMBConvSpec spec_;
  models::MBConvChoice active_;
  std::shared_ptr<nn::BasicConv2d<T>> expand_conv_;
  std::shared_ptr<nn::BasicBatchNorm2d<T>> expand_bn_;
  std::shared_ptr<nn::BasicConv2d<T>> depthwise_conv_;
  std::shared_ptr<nn::BasicBatchNorm2d<T>> depthwise_bn_;
  std::shared_ptr<nn::BasicSqueezeExcite<T>> se_;
  std::shared_ptr<nn::BasicConv2d<T>> project_conv_;
  std::shared_ptr<nn::BasicBatchNorm2d<T>> project_bn_;
  /// transforms_[i] maps the centre of kernel_sizes[i + 1] to kernel_sizes[i];
  /// pointers into the module's registry, so they follow `set_parameter`.
  std::vector<BasicVariable<T>*> transforms_;
  // Stateless, so one instance serves both places it is applied.
  std::shared_ptr<nn::BasicModule<T>> activation_;
};

using ElasticMBConv = BasicElasticMBConv<float>;

extern template class BasicElasticMBConv<float>;
extern template class BasicElasticMBConv<double>;

}  // namespace hwnas::supernet
