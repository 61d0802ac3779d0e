#include "hwnas/inherit/morph_network.hpp"

#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/inherit/widening.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/mbconv.hpp"

namespace hwnas::inherit {
namespace {

using space::OfaFmnistArch;

/// Every parameter and buffer of a network by its dotted name.
template <class Tensor, class Module>
std::map<std::string, Tensor*> state_table(Module& net) {
  std::map<std::string, Tensor*> table;
  for (auto& p : net.named_parameters()) table.emplace(p.name, &p.variable.value());
  for (auto& b : net.named_buffers()) table.emplace(b.name, b.tensor);
  return table;
}

template <Scalar T>
const nn::BasicSequential<T>& blocks_of(const nn::BasicSequential<T>& net) {
  for (const auto& child : net.named_children())
    if (child.name == "blocks")
      if (const auto* blocks = dynamic_cast<const nn::BasicSequential<T>*>(child.module.get())) return *blocks;
  throw ConfigError("morph_network: the network has no 'blocks' of MBConv blocks; is it a network of the space?");
}

template <Scalar T>
const nn::BasicMBConv<T>& block_at(const nn::BasicSequential<T>& net, std::int64_t position) {
  const auto* block =
      dynamic_cast<const nn::BasicMBConv<T>*>(blocks_of(net).at(static_cast<std::size_t>(position)).get());
  HWNAS_CHECK_CONFIG(block != nullptr, "morph_network: blocks.{} is not an MBConv block", position);
  return *block;
}

/// Where block `block` of the architecture sits in the network's `blocks`:
/// the active blocks of the stages before it, then its place in its stage.
std::int64_t network_position(const OfaFmnistArch& arch, std::int64_t block) {
  const auto per_stage = static_cast<std::int64_t>(OfaFmnistArch::blocks_per_stage);
  const std::int64_t stage = block / per_stage;
  return std::accumulate(arch.d.begin(), arch.d.begin() + stage, std::int64_t{0}) + block % per_stage;
}

/// A name under `blocks.`: the block's position and the rest of the name.
std::optional<std::pair<std::int64_t, std::string>> split_block_name(const std::string& name) {
  constexpr std::string_view prefix = "blocks.";
  if (!name.starts_with(prefix)) return std::nullopt;
  const auto dot = name.find('.', prefix.size());
  if (dot == std::string::npos) return std::nullopt;
  return std::pair{std::stoll(name.substr(prefix.size(), dot - prefix.size())), name.substr(dot + 1)};
}

/// The value of the morphed block's entry `suffix` from the parent's
/// `value`: widened by the middle-channel and squeeze-excite maps, or the
/// depthwise kernel padded.
template <Scalar T>
BasicTensor<T> transform(const Morphism& m, const std::string& suffix, const BasicTensor<T>& value,
                         const WideningMap& mid, const WideningMap& se) {
  if (m.kind == MorphismKind::enlarge_kernel) return suffix == "depthwise_conv.weight" ? pad_kernel(value, 1) : value;
  if (suffix.starts_with("expand_") || suffix.starts_with("depthwise_") || suffix == "se.expand.bias")
    return widen_rows(value, mid);
  if (suffix == "se.reduce.weight") return widen_rows(widen_columns(value, mid, Division::by_replicas), se);
  if (suffix == "se.reduce.bias") return widen_rows(value, se);
  if (suffix == "se.expand.weight") return widen_rows(widen_columns(value, se, Division::by_replicas), mid);
  if (suffix == "project_conv.weight") return widen_columns(value, mid, Division::by_replicas);
  return value;
}

/// A network of `apply(parent, *m)` (of `parent` when `m` is null) with the
/// weights of `parent_net`.
template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> inherit_weights(const OfaFmnistArch& parent,
                                                        const nn::BasicSequential<T>& parent_net, const Morphism* m,
                                                        Rng& rng) {
  const OfaFmnistArch child = m ? apply(parent, *m) : parent;
  const std::int64_t depth = std::accumulate(parent.d.begin(), parent.d.end(), std::int64_t{0});
  HWNAS_CHECK_CONFIG(static_cast<std::int64_t>(blocks_of(parent_net).size()) == depth,
                     "morph_network: the network has {} blocks, but the architecture {}", blocks_of(parent_net).size(),
                     depth);
  const bool deepen = m && m->kind == MorphismKind::deepen;
  // The morphed (or, for deepen, the new) block's place in the child's `blocks`.
  std::int64_t position = -1;
  if (m)
    position = deepen ? std::accumulate(parent.d.begin(), parent.d.begin() + m->index + 1, std::int64_t{0})
                      : network_position(parent, m->index);

  auto child_net = space::OfaFmnistSpace{}.build<T>(child);
  child_net->train(parent_net.is_training());

  WideningMap mid;
  WideningMap se;
  if (m && m->kind == MorphismKind::widen) {
    const nn::MBConvSpec& from = block_at(parent_net, position).spec();
    const nn::MBConvSpec& to = block_at(*child_net, position).spec();
    mid = widening_map(from.mid_channels(), to.mid_channels(), rng);
    if (from.se()) se = widening_map(from.se_channels(), to.se_channels(), rng);
  }
  if (deepen) {
    auto& block = *blocks_of(*child_net).at(static_cast<std::size_t>(position));
    nn::init::default_init(block, rng);
    for (auto& p : block.named_parameters())
      if (p.name == "project_bn.weight" || p.name == "project_bn.bias") p.variable.value().fill(T{0});
  }

  const auto from = state_table<const BasicTensor<T>>(parent_net);
  for (auto& [name, tensor] : state_table<BasicTensor<T>>(*child_net)) {
    std::string source = name;
    const auto block = split_block_name(name);
    if (block && deepen && block->first >= position) {
      if (block->first == position) continue;  // the new block keeps its initialisation
      source = fmt::format("blocks.{}.{}", block->first - 1, block->second);
    }
    const auto found = from.find(source);
    HWNAS_CHECK_CONFIG(found != from.end(), "morph_network: the parent network has no '{}'; is it a network of {}?",
                       source, space::OfaFmnistSpace{}.canonical(parent));
    const bool morphed = m && !deepen && block && block->first == position;
    BasicTensor<T> value = morphed ? transform(*m, block->second, *found->second, mid, se) : *found->second;
    HWNAS_CHECK_SHAPE(value.shape() == tensor->shape(),
                      "morph_network: '{}' has shape {} in the parent network, the child needs {}", name, value.shape(),
                      tensor->shape());
    *tensor = std::move(value);
  }
  return child_net;
}

}  // namespace

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> morph_network(const OfaFmnistArch& parent,
                                                      const nn::BasicSequential<T>& parent_net, const Morphism& m,
                                                      Rng& rng) {
  return inherit_weights(parent, parent_net, &m, rng);
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> morph_network(const OfaFmnistArch& parent,
                                                      const nn::BasicSequential<T>& parent_net,
                                                      const std::vector<Morphism>& path, Rng& rng) {
  if (path.empty()) return inherit_weights<T>(parent, parent_net, nullptr, rng);
  std::shared_ptr<nn::BasicSequential<T>> net = morph_network(parent, parent_net, path.front(), rng);
  OfaFmnistArch arch = apply(parent, path.front());
  for (std::size_t i = 1; i < path.size(); ++i) {
    net = morph_network(arch, *net, path[i], rng);
    arch = apply(arch, path[i]);
  }
  return net;
}

template std::shared_ptr<nn::BasicSequential<float>> morph_network(const OfaFmnistArch&,
                                                                   const nn::BasicSequential<float>&, const Morphism&,
                                                                   Rng&);
template std::shared_ptr<nn::BasicSequential<double>> morph_network(const OfaFmnistArch&,
                                                                    const nn::BasicSequential<double>&, const Morphism&,
                                                                    Rng&);
template std::shared_ptr<nn::BasicSequential<float>> morph_network(const OfaFmnistArch&,
                                                                   const nn::BasicSequential<float>&,
                                                                   const std::vector<Morphism>&, Rng&);
template std::shared_ptr<nn::BasicSequential<double>> morph_network(const OfaFmnistArch&,
                                                                    const nn::BasicSequential<double>&,
                                                                    const std::vector<Morphism>&, Rng&);

}  // namespace hwnas::inherit
