#include "hwnas/models/resnet.hpp"

#include "hwnas/core/error.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/flatten.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/pool.hpp"
#include "hwnas/nn/residual_block.hpp"

namespace hwnas::models {

std::shared_ptr<nn::Sequential> resnet(const ResNetConfig& config) {
  HWNAS_CHECK_CONFIG(config.in_channels >= 1 && config.stem_width >= 1 && config.blocks_per_stage >= 1 &&
                         config.classes >= 1 && !config.widths.empty(),
                     "resnet: sizes must be positive and there must be a stage (in_channels {}, stem_width {}, "
                     "blocks_per_stage {}, classes {}, {} stages)",
                     config.in_channels, config.stem_width, config.blocks_per_stage, config.classes,
                     config.widths.size());
  auto net = std::make_shared<nn::Sequential>();
  net->add("stem_conv", std::make_shared<nn::Conv2d>(
                            nn::Conv2dSpec{config.in_channels, config.stem_width, 3}.padding(1).bias(false)));
  net->add("stem_bn", std::make_shared<nn::BatchNorm2d>(config.stem_width));
  net->add("stem_act", std::make_shared<nn::ReLU>());

  auto blocks = net->add("blocks", std::make_shared<nn::Sequential>());
  std::int64_t width = config.stem_width;
  for (std::size_t s = 0; s < config.widths.size(); ++s) {
    HWNAS_CHECK_CONFIG(config.widths[s] >= 1, "resnet: stage {} width must be positive, got {}", s, config.widths[s]);
    for (std::int64_t b = 0; b < config.blocks_per_stage; ++b) {
      blocks->emplace_back<nn::ResidualBlock>(width, config.widths[s], s > 0 && b == 0 ? 2 : 1);
      width = config.widths[s];
    }
  }
  net->add("pool", std::make_shared<nn::GlobalAvgPool2d>());
  net->add("flatten", std::make_shared<nn::Flatten>());
  net->add("classifier", std::make_shared<nn::Linear>(width, config.classes));
  return net;
}

}  // namespace hwnas::models
