// `hwnas spaces`: the search spaces with their size and choices.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::app {

Command add_spaces_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("spaces", "List the search spaces with their size and choices");
  auto json = std::make_shared<bool>(false);
  cli->add_flag("--json", *json, "print the list as one JSON document");
  return {cli, [json] {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& name : space::space_names()) {
              const space::AnySpace s = space::make_space(name);
              list.push_back({{"name", name}, {"size", s.size()}, {"choices", s.choices()}});
            }
            if (*json) {
              fmt::print("{}\n", list.dump());
              return 0;
            }
            for (const auto& entry : list)
              fmt::print("{:<12} {:>10.4g} architectures  {}\n", entry["name"].get<std::string>(),
                         entry["size"].get<double>(), entry["choices"].dump());
            return 0;
          }};
}

}  // namespace hwnas::app
