// `hwnas bench`: times one training step (forward, cross-entropy, backward,
// SGD momentum step) or one inference of a network at a batch size, after
// warm-up, and reports the median, p90 and achieved GFLOP/s.

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/timing.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/optim/sgd.hpp"
#include "network_option.hpp"

namespace hwnas::app {
namespace {

struct BenchCommand {
  explicit BenchCommand(CLI::App& cli) : network(cli) {}

  NetworkOption network;
  std::string mode = "train";
  std::int64_t batch = 64;
  int threads = 0;
  TimingOptions timing{.warmup = 5, .runs = 20};
  std::uint64_t seed = 0;
  bool json = false;

  int run() const {
    set_num_threads(threads);
    auto net = network.build(seed);
    const Shape input = network.input_shape();
    const std::int64_t macs = macs_per_image(*net, input);

    Rng rng(seed);
    Tensor images(Shape{batch, input[0], input[1], input[2]});
    nn::init::uniform(images, rng, -1.0, 1.0);
    std::vector<std::int32_t> labels(static_cast<std::size_t>(batch));
    for (auto& label : labels) label = static_cast<std::int32_t>(rng.uniform_int(10));
    const Variable x(images);

    TimingSummary t;
    if (mode == "train") {
      net->train();
      optim::SGD sgd(net->named_parameters(), optim::SGDOptions(0.01).momentum(0.9));
      t = time_runs(
          [&] {
            sgd.zero_grad();
            Variable loss = cross_entropy((*net)(x), labels);
            loss.backward();
            sgd.step();
          },
          timing);
    } else {
      net->eval();
      NoGradGuard no_grad;
      t = time_runs([&] { (void)(*net)(x); }, timing);
    }
    // A backward pass costs about twice the forward pass.
    const double flops = 2.0 * static_cast<double>(macs * batch) * (mode == "train" ? 3.0 : 1.0);
    const double gflops = flops / (t.median_ms * 1e-3) / 1e9;
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"arch", network.describe()},
                                        {"mode", mode},
                                        {"batch", batch},
                                        {"threads", num_threads()},
                                        {"median_ms", t.median_ms},
                                        {"p90_ms", t.p90_ms},
                                        {"gflops", gflops},
                                        {"iters", timing.runs},
                                        {"macs_per_image", macs}}
                             .dump());
    } else {
      fmt::print("{} {} batch {} on {} threads: median {:.3f} ms, p90 {:.3f} ms over {} runs, {:.1f} GFLOP/s\n",
                 network.name(), mode, batch, num_threads(), t.median_ms, t.p90_ms, timing.runs, gflops);
    }
    return 0;
  }
};

}  // namespace

Command add_bench_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("bench", "Time a training step or an inference of a network");
  auto command = std::make_shared<BenchCommand>(*cli);
  auto& c = *command;
  cli->add_option("--mode", c.mode, "train (forward, loss, backward, SGD step) or infer")
      ->check(CLI::IsMember({"train", "infer"}))
      ->capture_default_str();
  cli->add_option("--batch", c.batch, "images per step")->check(CLI::PositiveNumber)->capture_default_str();
  cli->add_option("--threads", c.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)")
      ->check(CLI::NonNegativeNumber);
  cli->add_option("--iters", c.timing.runs, "timed runs")->check(CLI::PositiveNumber)->capture_default_str();
  cli->add_option("--warmup", c.timing.warmup, "untimed runs first")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli->add_option("--seed", c.seed, "seeds weights and inputs");
  cli->add_flag("--json", c.json, "print the result as one JSON document");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
