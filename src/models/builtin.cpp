#include "hwnas/models/builtin.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"

namespace hwnas::models {

MobileNetConfig mbconv_config() {
  using nn::Activation;
  MobileNetConfig config;
  config.stages = {
      {.width = 24, .stride = 1, .activation = Activation::relu, .se = false, .blocks = {{3, 3}, {5, 3}}},
      {.width = 40, .stride = 2, .activation = Activation::relu, .se = true, .blocks = {{3, 4}, {5, 4}, {7, 4}}},
      {.width = 80, .stride = 2, .activation = Activation::hswish, .se = false, .blocks = {{3, 4}, {5, 4}, {7, 4}}},
      {.width = 96, .stride = 1, .activation = Activation::hswish, .se = true, .blocks = {{5, 6}, {7, 6}}},
  };
  return config;
}

ResNetConfig resnet_config() { return ResNetConfig{}; }

std::vector<std::string> builtin_names() { return {"mbconv", "resnet"}; }

std::shared_ptr<nn::Sequential> builtin(std::string_view name) {
  if (name == "mbconv") return mobilenet(mbconv_config());
  if (name == "resnet") return resnet(resnet_config());
  throw ConfigError(fmt::format("unknown built-in network '{}'; known: {}", name, fmt::join(builtin_names(), ", ")));
}

}  // namespace hwnas::models
