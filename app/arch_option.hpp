#pragma once
// Architectures given on the command line, as the CLI contract fixes it:
// `--arch '{...}'` (inline JSON) or `--arch @file.json`, many from a JSON
// Lines file with `--archs file.jsonl` (architectures, or the result lines of
// another command, which hold theirs under "arch"), or `--space NAME
// --sample N --seed S`.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "hwnas/space/any_space.hpp"

namespace hwnas::app {

using SpacedArch = std::pair<space::AnySpace, space::AnyArch>;

/// The architecture `text` gives: inline JSON, or `@path` to a JSON file.
[[nodiscard]] SpacedArch parse_arch_argument(const std::string& text);

class ArchOption {
 public:
  /// Declares --arch, --archs, --space, --sample and --seed on `command`.
  explicit ArchOption(CLI::App& command);

  /// The architectures, in the order given; ConfigError when none or
  /// several ways were used, or an architecture is malformed (naming its line).
  [[nodiscard]] std::vector<SpacedArch> load() const;

 private:
  std::string arch_;
  std::string archs_;
  std::string space_;
  std::int64_t sample_ = 0;
  std::uint64_t seed_ = 0;
};

}  // namespace hwnas::app
