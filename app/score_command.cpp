// `hwnas score`: zero-cost proxies of many architectures, one JSON line each:
// {"arch", "scores": {name: value}, "time_ms": {name: ms}}; a score that is
// not a finite number (NaN, -inf) is written as null.

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "arch_option.hpp"
#include "command.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/data/datasets.hpp"
#include "hwnas/estimate/any_estimator.hpp"

namespace hwnas::app {
namespace {

struct ScoreCommand {
  explicit ScoreCommand(CLI::App& cli) : archs(cli) {}

  ArchOption archs;
  std::vector<std::string> proxies{"zen", "params", "macs"};
  estimate::ProxyOptions options;
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::int64_t data_batch = 64;
  int threads = 0;
  bool quiet = false;

  int run() const {
    set_num_threads(threads);
    const auto loaded = archs.load();
    estimate::ProxyOptions with_data = options;
    if (std::ranges::any_of(proxies, [](const auto& p) { return estimate::proxy_needs_data(p); })) {
      data::DatasetOptions split;
      split.dir = data_dir;
      const data::Dataset d = data::load_dataset(dataset, split);
      with_data.data =
          std::make_shared<const estimate::ProxyBatch>(estimate::proxy_batch(d.train, data_batch, options.seed));
    }
    ProgressBar bar(static_cast<std::int64_t>(loaded.size()), "scoring");
    std::int64_t done = 0;
    for (const auto& [space, arch] : loaded) {
      nlohmann::json scores = nlohmann::json::object();
      nlohmann::json times = nlohmann::json::object();
      for (const auto& name : proxies) {
        auto proxy = estimate::make_proxy(name, space, with_data);
        const estimate::Estimate e = proxy.estimate(arch);
        scores[name] = e.value;
        times[name] = e.cost.seconds * 1e3;
      }
      fmt::print("{}\n", nlohmann::json{{"arch", space.to_json(arch)}, {"scores", scores}, {"time_ms", times}}.dump());
      std::fflush(stdout);
      if (!quiet) bar.update(++done);
    }
    if (!quiet) bar.finish();
    return 0;
  }
};

}  // namespace

Command add_score_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("score", "Zero-cost proxies of architectures, as JSON Lines");
  auto command = std::make_shared<ScoreCommand>(*cli);
  auto& c = *command;
  cli->add_option("--proxy", c.proxies,
                  fmt::format("proxies, comma-separated: {}", fmt::join(estimate::proxy_names(), ", ")))
      ->delimiter(',')
      ->capture_default_str();
  cli->add_option("--batch", c.options.batch, "Gaussian images per Zen-score pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli->add_option("--data", c.dataset,
                  "dataset of the proxies that need data: fashion-mnist, mnist, cifar10, synthetic")
      ->capture_default_str();
  cli->add_option("--data-dir", c.data_dir, "directory of the dataset files (mnist, cifar10)");
  cli->add_option("--data-batch", c.data_batch, "labelled training images of the proxies that need data")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli->add_option("--repeat", c.options.repeats, "repeats averaged (Zen-score)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli->add_option("--proxy-seed", c.options.seed, "seed of the proxies' random draws");
  cli->add_option("--threads", c.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)");
  cli->add_flag("--quiet", c.quiet, "no progress on stderr");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
