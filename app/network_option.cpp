#include "network_option.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/models/builtin.hpp"
#include "hwnas/nn/init.hpp"

namespace hwnas::app {

NetworkOption::NetworkOption(CLI::App& command) {
  command.add_option("--model", model_, fmt::format("built-in network: {}", fmt::join(models::builtin_names(), ", ")))
      ->capture_default_str();
}

std::shared_ptr<nn::Sequential> NetworkOption::build(std::uint64_t seed) const {
  auto net = models::builtin(model_);
  Rng rng(seed);
  nn::init::default_init(*net, rng);
  return net;
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
