#include "network_option.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/models/builtin.hpp"
#include "hwnas/nn/init.hpp"

namespace hwnas::app {

NetworkOption::NetworkOption(CLI::App& command) {
  auto* model = command.add_option("--model", model_,
                                   fmt::format("built-in network: {}", fmt::join(models::builtin_names(), ", ")));
  model->capture_default_str();
  command.add_option("--arch", arch_text_, "an architecture of a search space: inline JSON or @file.json")
      ->excludes(model);
}

const std::optional<SpacedArch>& NetworkOption::arch() const {
  if (!arch_text_.empty() && !arch_) arch_ = parse_arch_argument(arch_text_);
  return arch_;
}

std::shared_ptr<nn::Module> NetworkOption::build(std::uint64_t seed) const {
  std::shared_ptr<nn::Module> net = arch() ? arch()->first.build(arch()->second) : models::builtin(model_);
  Rng rng(seed);
  nn::init::default_init(*net, rng);
  return net;
}

nlohmann::json NetworkOption::describe() const {
  return arch() ? arch()->first.to_json(arch()->second) : nlohmann::json(model_);
}

std::string NetworkOption::name() const {
  return arch() ? fmt::format("{} {}", arch()->first.name(), arch()->first.canonical(arch()->second)) : model_;
}

Shape NetworkOption::input_shape() const {
  // Built-in networks and the Fashion-MNIST spaces take 1x28x28 images.
  return arch() ? arch()->first.summary(arch()->second).front().input : Shape{1, 28, 28};
}

std::int64_t macs_per_image(nn::Module& net, const Shape& input) {
  const bool was_training = net.is_training();
  net.eval();
  NoGradGuard no_grad;
  MacCounter counter;
  (void)net(Variable(Tensor(Shape{1, input[0], input[1], input[2]})));
  net.train(was_training);
  return counter.macs();
}

}  // namespace hwnas::app
