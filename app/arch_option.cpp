#include "arch_option.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "json_input.hpp"

namespace hwnas::app {

SpacedArch parse_arch_argument(const std::string& text) {
  if (!text.empty() && text.front() == '@') {
    const std::string path = text.substr(1);
    return space::parse_arch(parse_json(read_file(path), path));
  }
  return space::parse_arch(parse_json(text, "--arch"));
}

ArchOption::ArchOption(CLI::App& command) {
  command.add_option("--arch", arch_, "an architecture: inline JSON or @file.json");
  command
      .add_option("--archs", archs_,
                  "architectures, one JSON object per line (or result lines holding one under \"arch\")")
      ->check(CLI::ExistingFile);
  command.add_option("--space", space_, "sample architectures from this space (with --sample)");
  command.add_option("--sample", sample_, "how many architectures to sample")->check(CLI::NonNegativeNumber);
  command.add_option("--seed", seed_, "seed of the sampling");
}

std::vector<SpacedArch> ArchOption::load() const {
  const int ways = !arch_.empty() + !archs_.empty() + !space_.empty();
  HWNAS_CHECK_CONFIG(ways == 1, "give architectures one way: --arch, --archs or --space with --sample (got {})", ways);
  std::vector<SpacedArch> archs;
  if (!arch_.empty()) {
    archs.push_back(parse_arch_argument(arch_));
  } else if (!archs_.empty()) {
    // A line is an architecture, or a result line of another command that holds one under "arch".
    for_each_json_line(archs_, [&](const nlohmann::json& json, const std::string& /*where*/) {
      const bool result = json.is_object() && !json.contains("space") && json.contains("arch");
      archs.push_back(space::parse_arch(result ? json["arch"] : json));
    });
    HWNAS_CHECK_CONFIG(!archs.empty(), "{} holds no architectures", archs_);
  } else {
    HWNAS_CHECK_CONFIG(sample_ > 0, "--space {} needs --sample N with N >= 1", space_);
    const space::AnySpace space = space::make_space(space_);
    Rng rng(seed_);
    for (std::int64_t i = 0; i < sample_; ++i) archs.emplace_back(space, space.sample(rng));
  }
  return archs;
}

}  // namespace hwnas::app
