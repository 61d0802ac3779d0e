// `hwnas`: the command-line face of the library. Exit codes: 0 success,
// 2 bad input (a one-line error on stderr naming it), 1 internal failure.

#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"hwnas: hardware-aware neural architecture search"};
  app.set_version_flag("--version", std::string(hwnas::version()));
  app.require_subcommand(1);
  const std::vector<hwnas::app::Command> commands{
      hwnas::app::add_spaces_command(app), hwnas::app::add_info_command(app), hwnas::app::add_train_command(app),
      hwnas::app::add_bench_command(app), hwnas::app::add_score_command(app), hwnas::app::add_correlate_command(app),
      hwnas::app::add_profile_command(app), hwnas::app::add_latency_command(app),
      hwnas::app::add_fit_latency_command(app), hwnas::app::add_search_command(app),
      hwnas::app::add_supernet_command(app), hwnas::app::add_hypernet_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    for (const auto& command : commands)
      if (command.cli->parsed()) return command.run();
    return 1;
  } catch (const hwnas::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
}
