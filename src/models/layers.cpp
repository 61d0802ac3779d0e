#include "hwnas/models/layers.hpp"

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/mbconv.hpp"
#include "hwnas/nn/pool.hpp"
#include "hwnas/nn/resize.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::models {
namespace {

/// [C, H, W] as "HxWxC", [F] as "F".
std::string dims(const Shape& s) {
  return s.rank() == 3 ? fmt::format("{}x{}x{}", s[1], s[2], s[0]) : fmt::format("{}", s[0]);
}

nn::Activation activation(const LayerSummary& layer) {
  for (const auto a : {nn::Activation::relu, nn::Activation::relu6, nn::Activation::hswish})
    if (nn::activation_name(a) == layer.activation) return a;
  throw ConfigError(fmt::format("{} layer: unknown activation '{}'", layer.type, layer.activation));
}

}  // namespace

std::string layer_key(const LayerSummary& l) {
  const std::string shapes = fmt::format("{}-in:{}-out:{}", l.type, dims(l.input), dims(l.output));
  if (l.type == "mbconv")
    return fmt::format("{}-e:{}-k:{}-s:{}-se:{:d}-act:{}-res:{:d}", shapes, l.expand, l.kernel, l.stride, l.se,
                       l.activation, l.residual);
  if (l.type == "conv") return fmt::format("{}-k:{}-s:{}-act:{}", shapes, l.kernel, l.stride, l.activation);
  return shapes;
}

std::shared_ptr<nn::Module> build_layer(const LayerSummary& l) {
  if (l.type == "mbconv")
    return std::make_shared<nn::MBConv>(nn::MBConvSpec{l.input[0], l.output[0], l.kernel}
                                            .expand(l.expand)
                                            .stride(l.stride)
                                            .activation(activation(l))
                                            .se(l.se));
  if (l.type == "conv") {
    auto seq = std::make_shared<nn::Sequential>();
    seq->add("conv", std::make_shared<nn::Conv2d>(
                         nn::Conv2dSpec{l.input[0], l.output[0], l.kernel}.stride(l.stride).padding(l.kernel / 2).bias(
                             false)));
    seq->add("bn", std::make_shared<nn::BatchNorm2d>(l.output[0]));
    seq->add("act", nn::make_activation<float>(activation(l)));
    return seq;
  }
  if (l.type == "resize") return std::make_shared<nn::Resize>(l.output[1], l.output[2]);
  if (l.type == "pool") return std::make_shared<nn::GlobalAvgPool2d>();
  if (l.type == "linear") return std::make_shared<nn::Linear>(l.input[0], l.output[0]);
  throw ConfigError(fmt::format("a '{}' layer has no standalone form for layer-wise timing", l.type));
}

}  // namespace hwnas::models
