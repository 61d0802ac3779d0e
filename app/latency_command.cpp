// `hwnas latency`: predicted (`--lut`, `--mlp`) and/or measured (`--measure`)
// latency of architectures, one JSON line each:
// {"arch", "macs", "lut_ms", "mlp_ms", "measured_ms", "measured": {median_ms, ...}}.

#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "arch_option.hpp"
#include "command.hpp"
#include "hwnas/cost/latency_table.hpp"
#include "hwnas/cost/mlp_latency.hpp"
#include "latency_tables.hpp"

namespace hwnas::app {
namespace {

struct LatencyCommand {
  explicit LatencyCommand(CLI::App& cli) : archs(cli) {}

  ArchOption archs;
  std::string lut;
  std::string mlp;
  bool measure = false;
  cost::LatencyOptions protocol;
  bool force = false;

  int run() const {
    HWNAS_CHECK_CONFIG(!lut.empty() || !mlp.empty() || measure,
                       "latency: give --lut FILE (or auto), --mlp FILE (or auto) and/or --measure");
    const cost::Device device = cost::this_device(protocol.threads());
    std::shared_ptr<const cost::LatencyTable> table;
    std::shared_ptr<const cost::LatencyPredictor> predictor;
    for (const auto& [space, arch] : archs.load()) {
      const std::string name(space.name());
      nlohmann::json line{{"arch", space.to_json(arch)}, {"macs", space.macs(arch)}};
      if (!lut.empty()) {
        if (!table)
          table = std::make_shared<const cost::LatencyTable>(
              cost::LatencyTable::load(resolve_shipped(lut, table_file_name(name, device))));
        line["lut_ms"] = cost::LutLatency<space::AnySpace>(space, table, force).cost(arch).value;
      }
      if (!mlp.empty()) {
        if (!predictor)
          predictor = std::make_shared<const cost::LatencyPredictor>(
              cost::LatencyPredictor::load(resolve_shipped(mlp, predictor_file_name(name, device))));
        line["mlp_ms"] = cost::MlpLatency<space::AnySpace>(space, predictor, force).cost(arch).value;
      }
      if (measure) {
        const auto m = cost::MeasuredLatency<space::AnySpace>(space, protocol).measure(arch);
        line["measured_ms"] = m.median_ms;
        line["measured"] = m;
      }
      fmt::print("{}\n", line.dump());
      std::fflush(stdout);
    }
    return 0;
  }
};

}  // namespace

Command add_latency_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("latency", "Predicted and measured latency of architectures, as JSON Lines");
  auto command = std::make_shared<LatencyCommand>(*cli);
  auto& c = *command;
  cli->add_option("--lut", c.lut,
                  "predict with this latency table; 'auto': the shipped table of the space for this device");
  cli->add_option("--mlp", c.mlp,
                  "predict with this MLP latency predictor; 'auto': the shipped one of the space for this device");
  cli->add_flag("--measure", c.measure, "measure each architecture on this machine");
  cli->add_option_function<int>(
         "--threads", [&c](int n) { c.protocol.threads(n); },
         "kernel threads of the measurement, and the device the table must match (default 1)")
      ->check(CLI::PositiveNumber);
  cli->add_option_function<std::int64_t>(
         "--runs", [&c](std::int64_t n) { c.protocol.runs(n); }, "timed runs (default 20)")
      ->check(CLI::PositiveNumber);
  cli->add_flag("--force", c.force, "use a table or predictor measured on another device");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
