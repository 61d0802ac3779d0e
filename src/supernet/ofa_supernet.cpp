#include "hwnas/supernet/ofa_supernet.hpp"

#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/pool.hpp"
#include "hwnas/core/ops/reshape.hpp"
#include "hwnas/core/ops/resize.hpp"
#include "hwnas/nn/activation.hpp"

namespace hwnas::supernet {
namespace {

using Arch = space::OfaFmnistArch;

/// Index of block `b` of stage `s` in the supernet's block list.
std::size_t block_index(std::size_t stage, std::int64_t b) {
  return stage * Arch::blocks_per_stage + static_cast<std::size_t>(b);
}

models::MBConvChoice choice_of(const Arch& arch, std::size_t block) { return {arch.ks[block], arch.e[block]}; }

/// `arch` itself, or ConfigError naming the entry outside the space: the
/// JSON reader is where the space checks every entry.
void check_arch(const space::OfaFmnistSpace& space, const Arch& arch) {
  static_cast<void>(space.from_json(space.to_json(arch)));
}

}  // namespace

template <Scalar T>
BasicOfaSupernet<T>::BasicOfaSupernet() : skeleton_(space_.config(space_.largest())), active_(space_.largest()) {
  const auto& kernels = space::OfaFmnistSpace::kernel_sizes;
  const auto& expands = space::OfaFmnistSpace::expand_ratios;
  const auto stem = nn::Conv2dSpec{skeleton_.in_channels, skeleton_.stem_width, 3}.stride(2).padding(1).bias(false);
  stem_conv_ = this->register_module("stem_conv", std::make_shared<nn::BasicConv2d<T>>(stem));
  stem_bn_ = this->register_module("stem_bn", std::make_shared<nn::BasicBatchNorm2d<T>>(skeleton_.stem_width));
  stem_act_ = nn::make_activation<T>(skeleton_.stem_activation);

  auto block_list = this->register_module("blocks", std::make_shared<nn::BasicSequential<T>>());
  std::int64_t width = skeleton_.stem_width;
  for (const models::MobileNetStage& stage : skeleton_.stages) {
    HWNAS_ASSERT(stage.blocks.size() == Arch::blocks_per_stage);
    for (std::size_t b = 0; b < Arch::blocks_per_stage; ++b) {
      blocks_.push_back(block_list->push_back(std::make_shared<BasicElasticMBConv<T>>(
          ElasticMBConvSpec{width, stage.width}
              .stride(b == 0 ? stage.stride : 1)
              .activation(stage.activation)
              .se(stage.se)
              .kernel_sizes(std::vector<std::int64_t>(kernels.begin(), kernels.end()))
              .expand_ratios(std::vector<std::int64_t>(expands.begin(), expands.end())))));
      width = stage.width;
    }
  }
  head_conv_ = this->register_module(
      "head_conv", std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{width, skeleton_.head_width, 1}.bias(false)));
  head_bn_ = this->register_module("head_bn", std::make_shared<nn::BasicBatchNorm2d<T>>(skeleton_.head_width));
  classifier_ = this->register_module(
      "classifier", std::make_shared<nn::BasicLinear<T>>(skeleton_.head_width, skeleton_.classes));
}

template <Scalar T>
void BasicOfaSupernet<T>::set_active(const Arch& arch) {
  check_arch(space_, arch);
  for (std::size_t i = 0; i < Arch::blocks; ++i) blocks_[i]->set_active(choice_of(arch, i));
  active_ = arch;
}

template <Scalar T>
BasicVariable<T> BasicOfaSupernet<T>::forward(const BasicVariable<T>& x) {
  HWNAS_CHECK_SHAPE(x.dim() == 4 && x.size(1) == skeleton_.in_channels,
                    "OfaSupernet: expected images [N, {}, H, W], got {}", skeleton_.in_channels, x.shape());
  // The same rule as models::mobilenet, so extracted networks see the same pixels.
  BasicVariable<T> h = active_.r == skeleton_.input_size ? x : hwnas::resize_bilinear(x, active_.r, active_.r);
  h = (*stem_act_)((*stem_bn_)((*stem_conv_)(h)));
  for (std::size_t s = 0; s < Arch::stages; ++s)
    for (std::int64_t b = 0; b < active_.d[s]; ++b) h = (*blocks_[block_index(s, b)])(h);
  h = hwnas::hswish((*head_bn_)((*head_conv_)(h)));
  return (*classifier_)(hwnas::flatten(hwnas::global_avg_pool2d(h)));
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> BasicOfaSupernet<T>::extract(const Arch& arch) const {
  check_arch(space_, arch);
  // The state of the static network, by name: the fixed layers are named
  // alike in both, the active blocks are renumbered consecutively.
  std::unordered_map<std::string, BasicTensor<T>> state;
  const auto fixed = [](std::string_view name) { return !name.starts_with("blocks."); };
  for (const auto& p : this->named_parameters())
    if (fixed(p.name)) state.emplace(p.name, p.variable.value());
  for (const auto& b : this->named_buffers())
    if (fixed(b.name)) state.emplace(b.name, *b.tensor);
  std::size_t position = 0;
  for (std::size_t s = 0; s < Arch::stages; ++s) {
    for (std::int64_t b = 0; b < arch.d[s]; ++b, ++position) {
      const std::size_t i = block_index(s, b);
      for (auto& [name, tensor] : blocks_[i]->static_state(choice_of(arch, i)))
        state.emplace(fmt::format("blocks.{}.{}", position, name), std::move(tensor));
    }
  }

  auto net = models::mobilenet<T>(space_.config(arch));
  std::size_t filled = 0;
  const auto fill = [&](const std::string& name, BasicTensor<T>& target) {
    const auto it = state.find(name);
    HWNAS_ASSERT(it != state.end() && it->second.shape() == target.shape());
    target = it->second;
    ++filled;
  };
  for (auto& p : net->named_parameters()) fill(p.name, p.variable.value());
  for (auto& b : net->named_buffers()) fill(b.name, *b.tensor);
  HWNAS_ASSERT(filled == state.size());
  return net;
}

template <Scalar T>
void BasicOfaSupernet<T>::reorganize_channels(std::int64_t expand_stage) {
  for (const auto& block : blocks_) block->reorganize_channels(expand_stage);
}

template class BasicOfaSupernet<float>;
template class BasicOfaSupernet<double>;

}  // namespace hwnas::supernet
