// `hwnas info`: MACs, parameters and the layer table of architectures.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "arch_option.hpp"
#include "command.hpp"

namespace hwnas::app {
namespace {

void print_table(const space::AnySpace& space, const space::AnyArch& arch) {
  const auto layers = space.summary(arch);
  fmt::print("{} {}\n", space.name(), space.canonical(arch));
  fmt::print("  {:<3} {:<13} {:<14} {:<14} {:>6} {:>6} {:>12} {:>10}\n", "#", "type", "input", "output", "kernel",
             "stride", "MACs", "params");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    std::string type = l.type;
    if (l.type == "mbconv") type += fmt::format(" e{}{}", l.expand, l.se ? " se" : "");
    fmt::print("  {:<3} {:<13} {:<14} {:<14} {:>6} {:>6} {:>12} {:>10}\n", i, type, fmt::format("{}", l.input),
               fmt::format("{}", l.output), l.kernel == 0 ? std::string("-") : std::to_string(l.kernel), l.stride,
               l.macs, l.params);
  }
  fmt::print("  total: {} MACs, {} parameters\n\n", space.macs(arch), space.params(arch));
}

}  // namespace

Command add_info_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("info", "MACs, parameters and the layer table of architectures");
  auto archs = std::make_shared<ArchOption>(*cli);
  auto json = std::make_shared<bool>(false);
  cli->add_flag("--json", *json, "one JSON object per architecture (JSON Lines)");
  return {cli, [archs, json] {
            for (const auto& [space, arch] : archs->load()) {
              if (!*json) {
                print_table(space, arch);
                continue;
              }
              fmt::print("{}\n", nlohmann::json{{"arch", space.to_json(arch)},
                                                {"macs", space.macs(arch)},
                                                {"params", space.params(arch)},
                                                {"layers", space.summary(arch)}}
                                     .dump());
            }
            return 0;
          }};
}

}  // namespace hwnas::app
