#include "hwnas/models/builtin.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"

namespace hwnas::models {

MobileNetConfig mbconv_config() {
  return fmnist_mobilenet({{{3, 3}, {5, 3}}, {{3, 4}, {5, 4}, {7, 4}}, {{3, 4}, {5, 4}, {7, 4}}, {{5, 6}, {7, 6}}});
}

ResNetConfig resnet_config() { return ResNetConfig{}; }

std::vector<std::string> builtin_names() { return {"mbconv", "resnet"}; }

std::shared_ptr<nn::Sequential> builtin(std::string_view name) {
  if (name == "mbconv") return mobilenet(mbconv_config());
  if (name == "resnet") return resnet(resnet_config());
  throw ConfigError(fmt::format("unknown built-in network '{}'; known: {}", name, fmt::join(builtin_names(), ", ")));
}

}  // namespace hwnas::models
