// `hwnas fit-latency`: samples architectures, measures them on this machine
// (appended to a JSON Lines file as they finish, so a killed run resumes),
// trains the MLP latency predictor on an 80/10/10 split, saves it and prints
// its held-out metrics.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/cost/latency.hpp"
#include "hwnas/cost/mlp_latency.hpp"
#include "hwnas/space/any_space.hpp"
#include "latency_tables.hpp"

namespace hwnas::app {
namespace {

struct FitLatencyCommand {
  std::string space_name = "ofa-fmnist";
  std::int64_t samples = 1000;
  std::uint64_t seed = 0;
  std::string out;
  std::string measurements;
  std::string held_out;
  cost::LatencyOptions protocol;
  predict::MlpRegressorOptions mlp;
  bool quiet = false;
  bool json = false;

  /// Measurements already on file, by canonical architecture (a torn last line is ignored).
  static std::map<std::string, double> read_measured(const space::AnySpace& space, const std::filesystem::path& path) {
    std::map<std::string, double> measured;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.contains("arch") || !j.contains("measured_ms")) continue;
      measured[space.canonical(space.from_json(j["arch"]))] = j["measured_ms"].get<double>();
    }
    return measured;
  }

  int run() const {
    const space::AnySpace target = space::make_space(space_name);
    const cost::Device device = cost::this_device(protocol.threads());
    const std::string stem = fmt::format("data/lut/{}-{}", space_name, device.id());
    const std::filesystem::path model_path = out.empty() ? stem + "-mlp.json" : out;
    const std::filesystem::path measured_path = measurements.empty() ? stem + "-measured.jsonl" : measurements;
    if (measured_path.has_parent_path()) std::filesystem::create_directories(measured_path.parent_path());

    Rng rng(seed);
    std::vector<space::AnyArch> archs;
    for (std::int64_t i = 0; i < samples; ++i) archs.push_back(target.sample(rng));
    auto measured = read_measured(target, measured_path);
    {
      std::ofstream log(measured_path, std::ios::app);
      const cost::MeasuredLatency<space::AnySpace> measure(target, protocol);
      ProgressBar bar(samples, "measuring");
      for (std::int64_t i = 0; i < samples; ++i) {
        const auto& arch = archs[static_cast<std::size_t>(i)];
        const std::string key = target.canonical(arch);
        if (!measured.contains(key)) {
          measured[key] = measure.measure(arch).median_ms;
          log << nlohmann::json{{"arch", target.to_json(arch)}, {"measured_ms", measured[key]}}.dump() << "\n"
              << std::flush;
        }
        if (!quiet) bar.update(i + 1);
      }
      if (!quiet) bar.finish();
    }
    std::vector<std::pair<space::AnyArch, double>> pairs;
    for (const auto& arch : archs) pairs.emplace_back(arch, measured.at(target.canonical(arch)));
    const auto fitted = cost::fit_latency_predictor(target, pairs, device, mlp, seed);
    fitted.predictor.save(model_path);
    if (!held_out.empty()) {
      std::string lines;
      for (const auto i : fitted.test) {
        const auto& [arch, ms] = pairs[i];
        lines += nlohmann::json{{"arch", target.to_json(arch)},
                                {"measured_ms", ms},
                                {"mlp_ms", fitted.predictor.predict(target.encode(arch))},
                                {"macs", target.macs(arch)}}
                     .dump() +
                 "\n";
      }
      write_file_atomically(held_out, lines);
    }
    const auto& m = fitted.predictor.held_out();
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"model", model_path.string()}, {"measurements", measured_path.string()},
                                        {"device", device}, {"held_out", m}}
                             .dump());
    } else {
      fmt::print("{}: held-out {} architectures: RMSE {:.4f} ms ({:.1f}% of the mean), {:.1f}% within +-10%\n",
                 model_path.string(), m.n, m.rmse, 100.0 * m.relative_rmse, 100.0 * m.within_10_percent);
    }
    return 0;
  }
};

}  // namespace

Command add_fit_latency_command(CLI::App& app) {
  CLI::App* cli =
      app.add_subcommand("fit-latency", "Train the MLP latency predictor from measurements on this machine");
  auto command = std::make_shared<FitLatencyCommand>();
  auto& c = *command;
  cli->add_option("--space", c.space_name, "search space")->capture_default_str();
  cli->add_option("--samples", c.samples, "architectures sampled and measured")
      ->check(CLI::Range(10, 1'000'000))
      ->capture_default_str();
  cli->add_option("--seed", c.seed, "seed of the sample and the split");
  cli->add_option("--out", c.out, "model file (default: data/lut/<space>-<device>-mlp.json)");
  cli->add_option("--measurements", c.measurements,
                  "measurements, JSON Lines, appended and resumed (default: data/lut/<space>-<device>-measured.jsonl)");
  cli->add_option("--held-out", c.held_out, "write the held-out architectures with measured and predicted ms here");
  cli->add_option_function<int>(
         "--threads", [&c](int n) { c.protocol.threads(n); }, "kernel threads of the measurements (default 1)")
      ->check(CLI::PositiveNumber);
  cli->add_option_function<std::int64_t>(
         "--runs", [&c](std::int64_t n) { c.protocol.runs(n); }, "timed runs per architecture (default 20)")
      ->check(CLI::PositiveNumber);
  cli->add_option_function<std::int64_t>(
         "--epochs", [&c](std::int64_t n) { c.mlp.epochs(n); }, "training epochs of the MLP (default 200)")
      ->check(CLI::PositiveNumber);
  cli->add_flag("--quiet", c.quiet, "no progress on stderr");
  cli->add_flag("--json", c.json, "print the result as one JSON document");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
