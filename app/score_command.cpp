// `hwnas score`: zero-cost proxies, or any estimator a search configuration
// names, of many architectures, one JSON line each:
// {"arch", "scores": {name: value}, "time_ms": {name: ms}}; a score that is
// not a finite number (NaN, -inf) is written as null. Estimators keep their
// state from one architecture to the next (net2net inherits from the ones
// before), so the order of the architectures counts.

#include <algorithm>
#include <map>
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
#include "estimators.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "json_input.hpp"

namespace hwnas::app {
namespace {

struct ScoreCommand {
  explicit ScoreCommand(CLI::App& cli) : archs(cli) {}

  ArchOption archs;
  std::vector<std::string> proxies;
  /// Estimator configurations as JSON text, as in search configurations.
  std::vector<std::string> estimators;
  estimate::ProxyOptions options;
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::int64_t data_batch = 64;
  int threads = 0;
  bool quiet = false;

  int run() {
    set_num_threads(threads);
    if (proxies.empty() && estimators.empty()) proxies = {"zen", "params", "macs"};
    const auto loaded = archs.load();
    // Built once per space on first use, so that their state carries over.
    std::map<std::string, std::vector<estimate::AnyEstimator>, std::less<>> built;
    const auto estimators_of = [&](const space::AnySpace& space) -> std::vector<estimate::AnyEstimator>& {
      auto [it, fresh] = built.try_emplace(std::string(space.name()));
      if (fresh)
        for (const auto& text : estimators)
          it->second.push_back(make_estimator(parse_json(text, "--estimator"), space, options.seed));
      return it->second;
    };
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
      const auto record = [&](estimate::AnyEstimator& estimator) {
        const estimate::Estimate e = estimator.estimate(arch);
        scores[std::string(estimator.name())] = e.value;
        times[std::string(estimator.name())] = e.cost.seconds * 1e3;
      };
      for (const auto& name : proxies) {
        auto proxy = estimate::make_proxy(name, space, with_data);
        record(proxy);
      }
      for (auto& estimator : estimators_of(space)) record(estimator);
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
  CLI::App* cli = app.add_subcommand("score", "Zero-cost proxies or estimators of architectures, as JSON Lines");
  auto command = std::make_shared<ScoreCommand>(*cli);
  auto& c = *command;
  cli->add_option("--proxy", c.proxies,
                  fmt::format("proxies, comma-separated: {} (default zen,params,macs unless --estimator is given)",
                              fmt::join(estimate::proxy_names(), ", ")))
      ->delimiter(',');
  cli->add_option("--estimator", c.estimators,
                  "an estimator as in search configurations, e.g. '{\"name\": \"supernet\"}' (repeatable)");
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
