// `hwnas profile`: builds the layer-wise latency table of a space on this
// machine. Every distinct layer is timed alone (progress bar); the table is
// saved atomically after each one, so a killed run resumes where it stopped;
// then the per-inference overhead is fitted on sampled whole networks.

#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/cost/latency_table.hpp"
#include "hwnas/space/any_space.hpp"
#include "latency_tables.hpp"

namespace hwnas::app {
namespace {

struct ProfileCommand {
  std::string space_name = "ofa-fmnist";
  std::string out;
  cost::LatencyOptions protocol;
  std::int64_t overhead_archs = 20;
  std::uint64_t seed = 0;
  bool force = false;
  bool quiet = false;
  bool json = false;

  int run() const {
    const space::AnySpace profiled = space::make_space(space_name);
    const cost::Device device = cost::this_device(protocol.threads());
    const std::filesystem::path path =
        out.empty() ? std::filesystem::path("data/lut") / table_file_name(space_name, device)
                    : std::filesystem::path(out);
    const cost::LatencyTable table = profile_table(profiled, protocol, path, {overhead_archs, seed, force, quiet});
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"table", path.string()},
                                        {"space", space_name},
                                        {"device", device},
                                        {"entries", table.entries().size()},
                                        {"overhead_ms", table.overhead_ms()}}
                             .dump());
    } else {
      fmt::print("{}: {} layers of {} on {}, overhead {:.4f} ms per inference\n", path.string(),
                 table.entries().size(), space_name, device.id(), table.overhead_ms());
    }
    return 0;
  }
};

}  // namespace

Command add_profile_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("profile", "Build a layer-wise latency table of a space on this machine");
  auto command = std::make_shared<ProfileCommand>();
  auto& c = *command;
  cli->add_option("--space", c.space_name, "search space: ofa-fmnist, proxyless")->capture_default_str();
  cli->add_option("--out", c.out, "table file (default: data/lut/<space>-<device>.json); an existing one is resumed");
  cli->add_option_function<int>(
         "--threads", [&c](int n) { c.protocol.threads(n); }, "kernel threads of the measurements (default 1)")
      ->check(CLI::PositiveNumber);
  cli->add_option_function<std::int64_t>(
         "--runs", [&c](std::int64_t n) { c.protocol.runs(n); }, "timed runs per layer (default 20)")
      ->check(CLI::PositiveNumber);
  cli->add_option_function<std::int64_t>(
         "--warmup", [&c](std::int64_t n) { c.protocol.warmup(n); }, "untimed runs first (default 5)")
      ->check(CLI::NonNegativeNumber);
  cli->add_option("--overhead-archs", c.overhead_archs, "sampled networks the per-inference overhead is fitted on")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli->add_option("--seed", c.seed, "seed of those samples");
  cli->add_flag("--force", c.force, "replace an existing table of another space or device instead of refusing");
  cli->add_flag("--quiet", c.quiet, "no progress on stderr");
  cli->add_flag("--json", c.json, "print the summary as one JSON document");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
