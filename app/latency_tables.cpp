#include "latency_tables.hpp"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"

namespace hwnas::app {

std::string table_file_name(const std::string& space, const cost::Device& device) {
  return fmt::format("{}-{}.json", space, device.id());
}

std::vector<std::filesystem::path> table_directories() {
  std::vector<std::filesystem::path> dirs;
  if (const char* dir = std::getenv("HWNAS_DATA_DIR"); dir != nullptr && *dir != '\0')
    dirs.push_back(std::filesystem::path(dir) / "lut");
  dirs.push_back(std::filesystem::path(HWNAS_INSTALL_DATA_DIR) / "lut");
  dirs.push_back(std::filesystem::path(HWNAS_SOURCE_DATA_DIR) / "lut");
  return dirs;
}

std::filesystem::path resolve_table(const std::string& lut, const std::string& space, const cost::Device& device) {
  if (lut != "auto") return lut;
  const std::string name = table_file_name(space, device);
  std::vector<std::string> searched;
  for (const auto& dir : table_directories()) {
    if (std::filesystem::exists(dir / name)) return dir / name;
    searched.push_back(dir.string());
  }
  throw ConfigError(fmt::format("no shipped latency table {} for this device (searched {}); run hwnas profile --space "
                                "{} to make one",
                                name, fmt::join(searched, ", "), space));
}

}  // namespace hwnas::app
