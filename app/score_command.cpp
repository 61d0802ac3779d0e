// `hwnas score`: zero-cost proxies of many architectures, one JSON line each:
// {"arch", "scores": {name: value}, "time_ms": {name: ms}}.

#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "arch_option.hpp"
#include "command.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/estimate/any_estimator.hpp"

namespace hwnas::app {
namespace {

struct ScoreCommand {
  explicit ScoreCommand(CLI::App& cli) : archs(cli) {}

  ArchOption archs;
  std::vector<std::string> proxies{"zen", "params", "macs"};
  estimate::ProxyOptions options;
  int threads = 0;
  bool quiet = false;

  int run() const {
    set_num_threads(threads);
    const auto loaded = archs.load();
    ProgressBar bar(static_cast<std::int64_t>(loaded.size()), "scoring");
    std::int64_t done = 0;
    for (const auto& [space, arch] : loaded) {
      nlohmann::json scores = nlohmann::json::object();
      nlohmann::json times = nlohmann::json::object();
      for (const auto& name : proxies) {
        auto proxy = estimate::make_proxy(name, space, options);
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
  cli->add_option("--proxy", c.proxies, "proxies, comma-separated: zen, params, macs")
      ->delimiter(',')
      ->capture_default_str();
  cli->add_option("--batch", c.options.batch, "images per pass")->check(CLI::PositiveNumber)->capture_default_str();
  cli->add_option("--repeat", c.options.repeats, "repeats averaged (Zen-score)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli->add_option("--proxy-seed", c.options.seed, "seed of the proxies' random draws");
  cli->add_option("--threads", c.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)");
  cli->add_flag("--quiet", c.quiet, "no progress on stderr");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
