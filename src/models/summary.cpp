#include "hwnas/models/summary.hpp"

#include <nlohmann/json.hpp>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/nn/mbconv.hpp"

namespace hwnas::models {
namespace {

/// A conv without bias followed by batch norm.
std::int64_t conv_bn_params(std::int64_t in_per_group, std::int64_t out, std::int64_t k) {
  return out * in_per_group * k * k + 2 * out;
}

LayerSummary mbconv_summary(const nn::MBConvSpec& spec, std::int64_t size) {
  const std::int64_t in = spec.in_channels();
  const std::int64_t mid = spec.mid_channels();
  const std::int64_t out = spec.out_channels();
  const std::int64_t k = spec.kernel_size();
  const std::int64_t out_size = conv_output_size(size, k, spec.stride(), k / 2);
  LayerSummary s{"mbconv", Shape{in, size, size}, Shape{out, out_size, out_size}, k, spec.stride(), spec.expand(),
                 spec.se(), spec.residual(), std::string(nn::activation_name(spec.activation())), 0, 0};
  if (spec.expand() > 1) {
    s.macs += size * size * in * mid;
    s.params += conv_bn_params(in, mid, 1);
  }
  s.macs += out_size * out_size * mid * k * k;
  s.params += conv_bn_params(1, mid, k);
  if (spec.se()) {
    const std::int64_t se = spec.se_channels();
    s.macs += 2 * mid * se;
    s.params += 2 * mid * se + se + mid;
  }
  s.macs += out_size * out_size * mid * out;
  s.params += conv_bn_params(mid, out, 1);
  return s;
}

}  // namespace

std::size_t LayerSummaryHash::operator()(const LayerSummary& layer) const noexcept {
  // FNV-1a over the fields; strings and shapes through their characters and dimensions.
  std::size_t hash = 1469598103934665603ULL;
  const auto add = [&](std::int64_t value) { hash = (hash ^ static_cast<std::size_t>(value)) * 1099511628211ULL; };
  for (char c : layer.type) add(c);
  for (const Shape* shape : {&layer.input, &layer.output}) {
    add(shape->rank());
    for (std::int64_t d : shape->dims()) add(d);
  }
  for (std::int64_t v : {layer.kernel, layer.stride, layer.expand, std::int64_t{layer.se}, std::int64_t{layer.residual},
                         layer.macs, layer.params})
    add(v);
  for (char c : layer.activation) add(c);
  return hash;
}

void to_json(nlohmann::json& j, const LayerSummary& l) {
  j = {{"type", l.type},
       {"input", std::vector<std::int64_t>(l.input.dims().begin(), l.input.dims().end())},
       {"output", std::vector<std::int64_t>(l.output.dims().begin(), l.output.dims().end())},
       {"kernel", l.kernel},
       {"stride", l.stride},
       {"macs", l.macs},
       {"params", l.params}};
  if (l.type == "mbconv") {
    j["expand"] = l.expand;
    j["se"] = l.se;
    j["residual"] = l.residual;
  }
  if (!l.activation.empty()) j["activation"] = l.activation;
}

std::vector<LayerSummary> mobilenet_summary(const MobileNetConfig& config) {
  const std::vector<nn::MBConvSpec> specs = mobilenet_layer_specs(config);
  std::vector<LayerSummary> layers;
  std::int64_t size = config.input_size;
  if (config.resolution != size) {
    layers.push_back({"resize", Shape{config.in_channels, size, size},
                      Shape{config.in_channels, config.resolution, config.resolution}, 0, 1, 0, false, false, "", 0,
                      0});
    size = config.resolution;
  }
  const std::int64_t stem_size = conv_output_size(size, 3, 2, 1);
  layers.push_back({"conv", Shape{config.in_channels, size, size}, Shape{config.stem_width, stem_size, stem_size}, 3, 2,
                    0, false, false, std::string(nn::activation_name(config.stem_activation)),
                    stem_size * stem_size * config.stem_width * config.in_channels * 9,
                    conv_bn_params(config.in_channels, config.stem_width, 3)});
  size = stem_size;
  for (const nn::MBConvSpec& spec : specs) {
    layers.push_back(mbconv_summary(spec, size));
    size = layers.back().output[1];
  }
  const std::int64_t width = layers.back().output[0];
  layers.push_back({"conv", Shape{width, size, size}, Shape{config.head_width, size, size}, 1, 1, 0, false, false,
                    "hswish", size * size * width * config.head_width, conv_bn_params(width, config.head_width, 1)});
  layers.push_back({"pool", Shape{config.head_width, size, size}, Shape{config.head_width, 1, 1}, size, 1, 0, false,
                    false, "", 0, 0});
  layers.push_back({"linear", Shape{config.head_width}, Shape{config.classes}, 0, 1, 0, false, false, "",
                    config.head_width * config.classes, config.head_width * config.classes + config.classes});
  return layers;
}

std::int64_t total_macs(const std::vector<LayerSummary>& layers) {
  std::int64_t n = 0;
  for (const auto& l : layers) n += l.macs;
  return n;
}

std::int64_t total_params(const std::vector<LayerSummary>& layers) {
  std::int64_t n = 0;
  for (const auto& l : layers) n += l.params;
  return n;
}

}  // namespace hwnas::models
