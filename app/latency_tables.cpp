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

std::string predictor_file_name(const std::string& space, const cost::Device& device) {
  return fmt::format("{}-{}-mlp.json", space, device.id());
}

std::filesystem::path resolve_shipped(const std::string& given, const std::string& file_name) {
  if (given != "auto") return given;
  std::vector<std::string> searched;
  for (const auto& dir : table_directories()) {
    if (std::filesystem::exists(dir / file_name)) return dir / file_name;
    searched.push_back(dir.string());
  }
  throw ConfigError(fmt::format("no shipped {} for this device (searched {}); hwnas profile and hwnas fit-latency "
                                "make them",
                                file_name, fmt::join(searched, ", ")));
}

}  // namespace hwnas::app
