#include "hwnas/models/mobilenet.hpp"

#include <array>

#include "hwnas/core/error.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/flatten.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/pool.hpp"
#include "hwnas/nn/resize.hpp"

namespace hwnas::models {

MobileNetConfig fmnist_mobilenet(StageBlocks blocks, bool se, std::int64_t resolution) {
  using nn::Activation;
  // Width, first-block stride, activation and squeeze-excite of each stage.
  constexpr std::array<MobileNetStage, 4> skeleton{{{24, 1, Activation::relu, false, {}},
                                                    {40, 2, Activation::relu, true, {}},
                                                    {80, 2, Activation::hswish, false, {}},
                                                    {96, 1, Activation::hswish, true, {}}}};
  HWNAS_CHECK_CONFIG(blocks.size() == skeleton.size(), "fmnist_mobilenet: needs blocks for {} stages, got {}",
                     skeleton.size(), blocks.size());
  MobileNetConfig config;
  config.resolution = resolution;
  for (std::size_t s = 0; s < skeleton.size(); ++s) {
    MobileNetStage stage = skeleton[s];
    stage.se = stage.se && se;
    stage.blocks = std::move(blocks[s]);
    config.stages.push_back(std::move(stage));
  }
  return config;
}

std::vector<nn::MBConvSpec> mobilenet_layer_specs(const MobileNetConfig& config) {
  HWNAS_CHECK_CONFIG(config.in_channels >= 1 && config.input_size >= 1 && config.resolution >= 1 &&
                         config.stem_width >= 1 && config.head_width >= 1 && config.classes >= 1,
                     "mobilenet: sizes must be positive (in_channels {}, input_size {}, resolution {}, stem_width {}, "
                     "head_width {}, classes {})",
                     config.in_channels, config.input_size, config.resolution, config.stem_width, config.head_width,
                     config.classes);
  HWNAS_CHECK_CONFIG(!config.stages.empty(), "mobilenet: the network needs at least one stage");
  std::vector<nn::MBConvSpec> specs;
  std::int64_t width = config.stem_width;
  for (std::size_t s = 0; s < config.stages.size(); ++s) {
    const MobileNetStage& stage = config.stages[s];
    HWNAS_CHECK_CONFIG(stage.width >= 1 && stage.stride >= 1 && !stage.blocks.empty(),
                       "mobilenet: stage {} needs a positive width and stride and at least one block", s);
    for (std::size_t b = 0; b < stage.blocks.size(); ++b) {
      const MBConvChoice& block = stage.blocks[b];
      specs.push_back(nn::MBConvSpec{width, stage.width, block.kernel_size}
                          .expand(block.expand)
                          .stride(b == 0 ? stage.stride : 1)
                          .activation(stage.activation)
                          .se(stage.se));
      width = stage.width;
    }
  }
  return specs;
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> mobilenet(const MobileNetConfig& config) {
  const std::vector<nn::MBConvSpec> specs = mobilenet_layer_specs(config);
  auto net = std::make_shared<nn::BasicSequential<T>>();
  if (config.resolution != config.input_size)
    net->add("resize", std::make_shared<nn::BasicResize<T>>(config.resolution, config.resolution));
  net->add("stem_conv", std::make_shared<nn::BasicConv2d<T>>(
                            nn::Conv2dSpec{config.in_channels, config.stem_width, 3}.stride(2).padding(1).bias(false)));
  net->add("stem_bn", std::make_shared<nn::BasicBatchNorm2d<T>>(config.stem_width));
  net->add("stem_act", nn::make_activation<T>(config.stem_activation));

  auto blocks = net->add("blocks", std::make_shared<nn::BasicSequential<T>>());
  for (const auto& spec : specs) blocks->template emplace_back<nn::BasicMBConv<T>>(spec);

  const std::int64_t width = specs.back().out_channels();
  net->add("head_conv",
           std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{width, config.head_width, 1}.bias(false)));
  net->add("head_bn", std::make_shared<nn::BasicBatchNorm2d<T>>(config.head_width));
  net->add("head_act", std::make_shared<nn::BasicHSwish<T>>());
  net->add("pool", std::make_shared<nn::BasicGlobalAvgPool2d<T>>());
  net->add("flatten", std::make_shared<nn::BasicFlatten<T>>());
  net->add("classifier", std::make_shared<nn::BasicLinear<T>>(config.head_width, config.classes));
  return net;
}

template std::shared_ptr<nn::BasicSequential<float>> mobilenet(const MobileNetConfig&);
template std::shared_ptr<nn::BasicSequential<double>> mobilenet(const MobileNetConfig&);

}  // namespace hwnas::models
