#pragma once
/// \file
/// Networks known by name, for the command-line tool, benchmarks and the
/// side-by-side comparison with PyTorch (benchmarks/compare/ builds the same
/// networks there):
///
/// | name     | network |
/// |----------|---------|
/// | `mbconv` | MobileNetV3-style, 1x28x28 -> 10: the `ofa-fmnist` architecture with depths [2, 3, 3, 2], kernels [3 5 | 3 5 7 | 3 5 7 | 5 7], expand ratios [3 3 | 4 4 4 | 4 4 4 | 6 6] at resolution 28 |
/// | `resnet` | ResNet-style, 1x28x28 -> 10: stem 32, three stages of two basic blocks at widths 32, 64, 128 |

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/models/mobilenet.hpp"
#include "hwnas/models/resnet.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::models {

/// The configuration of the built-in `mbconv` network.
[[nodiscard]] MobileNetConfig mbconv_config();
/// The configuration of the built-in `resnet` network.
[[nodiscard]] ResNetConfig resnet_config();

/// The names `builtin` accepts, in table order.
[[nodiscard]] std::vector<std::string> builtin_names();

/// The built-in network called `name` (zero weights), for 1x28x28 inputs and
/// 10 classes; ConfigError naming the known names otherwise.
[[nodiscard]] std::shared_ptr<nn::Sequential> builtin(std::string_view name);

}  // namespace hwnas::models
