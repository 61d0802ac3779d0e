#include "hwnas/inherit/net2net.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/inherit/layer_copy.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/flatten.hpp"

namespace hwnas::inherit {
namespace {

template <Scalar T>
using Module = nn::BasicModule<T>;
template <Scalar T>
using Conv = nn::BasicConv2d<T>;
template <Scalar T>
using BatchNorm = nn::BasicBatchNorm2d<T>;
template <Scalar T>
using Linear = nn::BasicLinear<T>;

nn::Conv2dSpec with_channels(const nn::Conv2dSpec& spec, std::int64_t in, std::int64_t out, std::int64_t groups) {
  return nn::Conv2dSpec{in, out, spec.kernel_size()}
      .stride(spec.stride())
      .padding(spec.padding())
      .groups(groups)
      .bias(spec.bias());
}

void check_map_width(std::string_view what, std::int64_t width, const WideningMap& map) {
  HWNAS_CHECK_CONFIG(map.old_width() == width, "{}: the layer has {} units but the widening map is for {}", what, width,
                     map.old_width());
}

template <Scalar T>
bool is_depthwise(const Conv<T>& conv) {
  const auto& s = conv.spec();
  return s.groups() == s.in_channels() && s.groups() == s.out_channels();
}

template <Scalar T>
bool is_idempotent_activation(const Module<T>& m) {
  return dynamic_cast<const nn::BasicReLU<T>*>(&m) != nullptr || dynamic_cast<const nn::BasicReLU6<T>*>(&m) != nullptr;
}

/// A new instance of the ReLU or ReLU6 `m`.
template <Scalar T>
std::shared_ptr<Module<T>> same_activation(const Module<T>& m) {
  if (dynamic_cast<const nn::BasicReLU6<T>*>(&m) != nullptr) return std::make_shared<nn::BasicReLU6<T>>();
  return std::make_shared<nn::BasicReLU<T>>();
}

/// `net`'s layers in order, each replaced by `replacements[i]` when that is
/// set and copied otherwise, under the same names.
template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> rebuild(const nn::BasicSequential<T>& net,
                                                const std::vector<std::shared_ptr<Module<T>>>& replacements) {
  auto out = std::make_shared<nn::BasicSequential<T>>();
  const auto& children = net.named_children();
  for (std::size_t i = 0; i < children.size(); ++i)
    out->add(children[i].name, replacements[i] ? replacements[i] : copy_layer(children[i]));
  out->train(net.is_training());
  return out;
}

/// Whether every layer of `net` is named by its position ("0", "1", ...).
template <Scalar T>
bool named_by_position(const nn::BasicSequential<T>& net) {
  const auto& children = net.named_children();
  for (std::size_t i = 0; i < children.size(); ++i)
    if (children[i].name != std::to_string(i)) return false;
  return true;
}

/// The width of the signal after layer `index`, from the nearest conv, batch
/// norm or linear layer at or before it, and whether it has spatial axes.
template <Scalar T>
std::optional<std::pair<std::int64_t, bool>> signal_width(const nn::BasicSequential<T>& net, std::size_t index) {
  const auto& children = net.named_children();
  for (std::size_t i = index + 1; i-- > 0;) {
    const Module<T>& m = *children[i].module;
    if (const auto* conv = dynamic_cast<const Conv<T>*>(&m)) return std::pair{conv->spec().out_channels(), true};
    if (const auto* bn = dynamic_cast<const BatchNorm<T>*>(&m)) return std::pair{bn->spec().channels(), true};
    if (const auto* linear = dynamic_cast<const Linear<T>*>(&m)) return std::pair{linear->out_features(), false};
    // Flattening (or any layer with weights) hides the width of what comes out.
    if (!is_stateless(m) || dynamic_cast<const nn::BasicFlatten<T>*>(&m) != nullptr) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

template <Scalar T>
std::shared_ptr<nn::BasicConv2d<T>> widen_outputs(const nn::BasicConv2d<T>& conv, const WideningMap& map) {
  const auto& s = conv.spec();
  HWNAS_CHECK_CONFIG(s.groups() == 1, "widen_outputs: the conv has groups {}; only convs of groups 1 are widened",
                     s.groups());
  check_map_width("widen_outputs", s.out_channels(), map);
  auto out = std::make_shared<Conv<T>>(with_channels(s, s.in_channels(), map.new_width(), 1));
  assign(out->weight(), widen_rows(conv.weight().value(), map));
  if (s.bias()) assign(out->bias(), widen_rows(conv.bias().value(), map));
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicConv2d<T>> widen_inputs(const nn::BasicConv2d<T>& conv, const WideningMap& map) {
  const auto& s = conv.spec();
  HWNAS_CHECK_CONFIG(s.groups() == 1, "widen_inputs: the conv has groups {}; only convs of groups 1 sum their inputs",
                     s.groups());
  check_map_width("widen_inputs", s.in_channels(), map);
  auto out = std::make_shared<Conv<T>>(with_channels(s, map.new_width(), s.out_channels(), 1));
  assign(out->weight(), widen_columns(conv.weight().value(), map, Division::by_replicas));
  if (s.bias()) assign(out->bias(), conv.bias().value());
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicConv2d<T>> widen_depthwise(const nn::BasicConv2d<T>& conv, const WideningMap& map) {
  const auto& s = conv.spec();
  HWNAS_CHECK_CONFIG(is_depthwise(conv), "widen_depthwise: the conv ({} -> {}, groups {}) is not depthwise",
                     s.in_channels(), s.out_channels(), s.groups());
  check_map_width("widen_depthwise", s.out_channels(), map);
  const std::int64_t width = map.new_width();
  auto out = std::make_shared<Conv<T>>(with_channels(s, width, width, width));
  assign(out->weight(), widen_rows(conv.weight().value(), map));
  if (s.bias()) assign(out->bias(), widen_rows(conv.bias().value(), map));
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicLinear<T>> widen_outputs(const nn::BasicLinear<T>& linear, const WideningMap& map) {
  check_map_width("widen_outputs", linear.out_features(), map);
  const bool bias = linear.bias().defined();
  auto out = std::make_shared<Linear<T>>(linear.in_features(), map.new_width(), bias);
  assign(out->weight(), widen_rows(linear.weight().value(), map));
  if (bias) assign(out->bias(), widen_rows(linear.bias().value(), map));
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicLinear<T>> widen_inputs(const nn::BasicLinear<T>& linear, const WideningMap& map,
                                                 std::int64_t block) {
  HWNAS_CHECK_CONFIG(block >= 1 && linear.in_features() == map.old_width() * block,
                     "widen_inputs: the linear layer has {} inputs, not {} units of {}", linear.in_features(),
                     map.old_width(), block);
  const bool bias = linear.bias().defined();
  auto out = std::make_shared<Linear<T>>(map.new_width() * block, linear.out_features(), bias);
  assign(out->weight(), widen_columns(linear.weight().value(), map, Division::by_replicas, block));
  if (bias) assign(out->bias(), linear.bias().value());
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicBatchNorm2d<T>> widen_channels(const nn::BasicBatchNorm2d<T>& bn, const WideningMap& map) {
  const auto& s = bn.spec();
  check_map_width("widen_channels", s.channels(), map);
  auto out = std::make_shared<BatchNorm<T>>(
      nn::BatchNorm2dSpec{map.new_width()}.eps(s.eps()).momentum(s.momentum()).affine(s.affine()));
  if (s.affine()) {
    assign(out->weight(), widen_rows(bn.weight().value(), map));
    assign(out->bias(), widen_rows(bn.bias().value(), map));
  }
  out->running_mean() = widen_rows(bn.running_mean(), map);
  out->running_var() = widen_rows(bn.running_var(), map);
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicConv2d<T>> identity_conv(std::int64_t channels, std::int64_t kernel_size) {
  HWNAS_CHECK_CONFIG(channels >= 1 && kernel_size >= 1 && kernel_size % 2 == 1,
                     "identity_conv: needs a positive width and an odd kernel size, got {} channels and kernel {}",
                     channels, kernel_size);
  auto conv =
      std::make_shared<Conv<T>>(nn::Conv2dSpec{channels, channels, kernel_size}.padding(kernel_size / 2).bias(false));
  auto& w = conv->weight().value();
  const std::int64_t centre = kernel_size / 2;
  for (std::int64_t c = 0; c < channels; ++c) w(c, c, centre, centre) = T{1};
  return conv;
}

template <Scalar T>
std::shared_ptr<nn::BasicBatchNorm2d<T>> identity_batch_norm(std::int64_t channels) {
  auto bn = std::make_shared<BatchNorm<T>>(channels);
  bn->weight().value().fill(static_cast<T>(std::sqrt(1.0 + bn->spec().eps())));
  return bn;
}

template <Scalar T>
std::shared_ptr<nn::BasicLinear<T>> identity_linear(std::int64_t features) {
  auto linear = std::make_shared<Linear<T>>(features, features);
  auto& w = linear->weight().value();
  for (std::int64_t i = 0; i < features; ++i) w(i, i) = T{1};
  return linear;
}

template <Scalar T>
std::size_t layer_index(const nn::BasicSequential<T>& net, std::string_view name) {
  const auto& children = net.named_children();
  for (std::size_t i = 0; i < children.size(); ++i)
    if (children[i].name == name) return i;
  throw ConfigError(fmt::format("net2net: the network has no layer named '{}'", name));
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> net2wider(const nn::BasicSequential<T>& net, std::size_t index,
                                                  std::int64_t new_width, Rng& rng) {
  HWNAS_CHECK_CONFIG(index < net.size(), "net2wider: layer index {} is out of range for a network of {} layers", index,
                     net.size());
  const auto& children = net.named_children();
  const std::string& name = children[index].name;
  const Module<T>& target = *children[index].module;
  std::vector<std::shared_ptr<Module<T>>> replacements(children.size());

  const auto* conv = dynamic_cast<const Conv<T>*>(&target);
  const auto* linear = dynamic_cast<const Linear<T>*>(&target);
  HWNAS_CHECK_CONFIG(conv != nullptr || linear != nullptr, "net2wider: layer '{}' is a {}, not a conv or linear layer",
                     name, target.type_name());
  HWNAS_CHECK_CONFIG(conv == nullptr || conv->spec().groups() == 1,
                     "net2wider: layer '{}' is a grouped conv (groups {}); widen the conv that feeds it instead", name,
                     conv ? conv->spec().groups() : 1);
  const std::int64_t old_width = conv ? conv->spec().out_channels() : linear->out_features();
  HWNAS_CHECK_CONFIG(new_width >= old_width, "net2wider: layer '{}' has {} outputs; cannot narrow it to {}", name,
                     old_width, new_width);
  const WideningMap map = widening_map(old_width, new_width, rng);
  if (conv)
    replacements[index] = widen_outputs(*conv, map);
  else
    replacements[index] = widen_outputs(*linear, map);

  bool consumed = false;
  for (std::size_t i = index + 1; i < children.size() && !consumed; ++i) {
    const std::string& here = children[i].name;
    const Module<T>& m = *children[i].module;
    if (const auto* bn = dynamic_cast<const BatchNorm<T>*>(&m)) {
      HWNAS_CHECK_CONFIG(bn->spec().channels() == old_width, "net2wider: layer '{}' normalises {} channels, not {}",
                         here, bn->spec().channels(), old_width);
      replacements[i] = widen_channels(*bn, map);
    } else if (const auto* next_conv = dynamic_cast<const Conv<T>*>(&m)) {
      HWNAS_CHECK_CONFIG(next_conv->spec().in_channels() == old_width,
                         "net2wider: layer '{}' takes {} channels, not {}", here, next_conv->spec().in_channels(),
                         old_width);
      if (is_depthwise(*next_conv)) {
        replacements[i] = widen_depthwise(*next_conv, map);
      } else {
        HWNAS_CHECK_CONFIG(next_conv->spec().groups() == 1,
                           "net2wider: layer '{}' is a grouped conv (groups {}) that cannot take the widened channels",
                           here, next_conv->spec().groups());
        replacements[i] = widen_inputs(*next_conv, map);
        consumed = true;
      }
    } else if (const auto* next_linear = dynamic_cast<const Linear<T>*>(&m)) {
      // After Flatten each channel is height x width consecutive inputs.
      const std::int64_t in = next_linear->in_features();
      HWNAS_CHECK_CONFIG(in % old_width == 0, "net2wider: layer '{}' takes {} inputs, not a multiple of the {} units",
                         here, in, old_width);
      replacements[i] = widen_inputs(*next_linear, map, in / old_width);
      consumed = true;
    } else {
      HWNAS_CHECK_CONFIG(is_stateless(m), "net2wider: cannot carry the widened units of '{}' through layer '{}' ({})",
                         name, here, m.type_name());
    }
  }
  HWNAS_CHECK_CONFIG(consumed,
                     "net2wider: no conv or linear layer after '{}' takes its outputs; widening the network's output "
                     "would change its function",
                     name);
  return rebuild(net, replacements);
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> net2wider(const nn::BasicSequential<T>& net, std::string_view layer,
                                                  std::int64_t new_width, Rng& rng) {
  return net2wider(net, layer_index(net, layer), new_width, rng);
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> net2deeper(const nn::BasicSequential<T>& net, std::size_t index,
                                                   std::int64_t kernel_size) {
  HWNAS_CHECK_CONFIG(index < net.size(), "net2deeper: layer index {} is out of range for a network of {} layers", index,
                     net.size());
  const auto& children = net.named_children();
  const std::string& name = children[index].name;
  const Module<T>& activation = *children[index].module;
  HWNAS_CHECK_CONFIG(is_idempotent_activation(activation),
                     "net2deeper: layer '{}' is a {}, not a ReLU or ReLU6; an identity layer keeps the function only "
                     "after an idempotent activation",
                     name, activation.type_name());
  const auto width = signal_width(net, index);
  HWNAS_CHECK_CONFIG(width.has_value(),
                     "net2deeper: no conv, batch norm or linear layer before '{}' tells the width of its output", name);
  const auto [channels, spatial] = *width;

  std::vector<std::pair<std::string, std::shared_ptr<Module<T>>>> inserted;
  if (spatial) {
    inserted.emplace_back(name + "_identity", identity_conv<T>(channels, kernel_size));
    inserted.emplace_back(name + "_identity_bn", identity_batch_norm<T>(channels));
  } else {
    inserted.emplace_back(name + "_identity", identity_linear<T>(channels));
  }
  inserted.emplace_back(name + "_identity_act", same_activation(activation));

  auto out = std::make_shared<nn::BasicSequential<T>>();
  const bool positional = named_by_position(net);
  const auto append = [&](const std::string& layer_name, std::shared_ptr<Module<T>> layer) {
    if (positional)
      out->push_back(std::move(layer));
    else
      out->add(layer_name, std::move(layer));
  };
  for (std::size_t i = 0; i < children.size(); ++i) {
    append(children[i].name, copy_layer(children[i]));
    if (i == index)
      for (auto& [layer_name, layer] : inserted) append(layer_name, layer);
  }
  out->train(net.is_training());
  return out;
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> net2deeper(const nn::BasicSequential<T>& net, std::string_view layer,
                                                   std::int64_t kernel_size) {
  return net2deeper(net, layer_index(net, layer), kernel_size);
}

#define HWNAS_INHERIT_NET2NET(T)                                                                                       \
  template std::shared_ptr<nn::BasicConv2d<T>> widen_outputs(const nn::BasicConv2d<T>&, const WideningMap&);           \
  template std::shared_ptr<nn::BasicConv2d<T>> widen_inputs(const nn::BasicConv2d<T>&, const WideningMap&);            \
  template std::shared_ptr<nn::BasicConv2d<T>> widen_depthwise(const nn::BasicConv2d<T>&, const WideningMap&);         \
  template std::shared_ptr<nn::BasicLinear<T>> widen_outputs(const nn::BasicLinear<T>&, const WideningMap&);           \
  template std::shared_ptr<nn::BasicLinear<T>> widen_inputs(const nn::BasicLinear<T>&, const WideningMap&,             \
                                                            std::int64_t);                                             \
  template std::shared_ptr<nn::BasicBatchNorm2d<T>> widen_channels(const nn::BasicBatchNorm2d<T>&,                     \
                                                                   const WideningMap&);                                \
  template std::shared_ptr<nn::BasicConv2d<T>> identity_conv(std::int64_t, std::int64_t);                              \
  template std::shared_ptr<nn::BasicBatchNorm2d<T>> identity_batch_norm(std::int64_t);                                 \
  template std::shared_ptr<nn::BasicLinear<T>> identity_linear(std::int64_t);                                          \
  template std::size_t layer_index(const nn::BasicSequential<T>&, std::string_view);                                   \
  template std::shared_ptr<nn::BasicSequential<T>> net2wider(const nn::BasicSequential<T>&, std::size_t, std::int64_t, \
                                                             Rng&);                                                    \
  template std::shared_ptr<nn::BasicSequential<T>> net2wider(const nn::BasicSequential<T>&, std::string_view,          \
                                                             std::int64_t, Rng&);                                      \
  template std::shared_ptr<nn::BasicSequential<T>> net2deeper(const nn::BasicSequential<T>&, std::size_t,              \
                                                              std::int64_t);                                           \
  template std::shared_ptr<nn::BasicSequential<T>> net2deeper(const nn::BasicSequential<T>&, std::string_view,         \
                                                              std::int64_t);

HWNAS_INHERIT_NET2NET(float)
HWNAS_INHERIT_NET2NET(double)

}  // namespace hwnas::inherit
