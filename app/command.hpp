#pragma once
// A subcommand of the `hwnas` tool: it declares its options on a CLI11
// subcommand and runs when the user picked it. Each lives in its own file.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

namespace hwnas::app {

struct Command {
  CLI::App* cli;
  /// Runs the command after parsing; returns the exit code.
  std::function<int()> run;
};

Command add_spaces_command(CLI::App& app);
Command add_info_command(CLI::App& app);
Command add_train_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_correlate_command(CLI::App& app);
Command add_score_command(CLI::App& app);
Command add_profile_command(CLI::App& app);
Command add_latency_command(CLI::App& app);
Command add_fit_latency_command(CLI::App& app);
Command add_search_command(CLI::App& app);
Command add_supernet_command(CLI::App& app);
Command add_hypernet_command(CLI::App& app);

/// `--recalibration-images N` (at least 2), shared by the commands that score
/// networks with shared or generated weights.
void add_calibration_option(CLI::App& command, std::int64_t& images);

}  // namespace hwnas::app
