#include "latency_tables.hpp"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/core/random.hpp"

namespace hwnas::app {

std::string table_file_name(const std::string& space, const cost::Device& device) {
  return fmt::format("{}-{}.json", space, device.id());
}

std::vector<std::filesystem::path> data_directories(const std::string& subdir) {
  std::vector<std::filesystem::path> dirs;
  if (const char* dir = std::getenv("HWNAS_DATA_DIR"); dir != nullptr && *dir != '\0')
    dirs.push_back(std::filesystem::path(dir) / subdir);
  dirs.push_back(std::filesystem::path(HWNAS_INSTALL_DATA_DIR) / subdir);
  dirs.push_back(std::filesystem::path(HWNAS_SOURCE_DATA_DIR) / subdir);
  return dirs;
}

std::filesystem::path find_shipped(const std::string& subdir, const std::string& file_name,
                                   const std::string& how_to_make) {
  std::vector<std::string> searched;
  for (const auto& dir : data_directories(subdir)) {
    if (std::filesystem::exists(dir / file_name)) return dir / file_name;
    searched.push_back(dir.string());
  }
  throw ConfigError(fmt::format("no shipped {} (searched {}); {}", file_name, fmt::join(searched, ", "), how_to_make));
}

std::string predictor_file_name(const std::string& space, const cost::Device& device) {
  return fmt::format("{}-{}-mlp.json", space, device.id());
}

std::filesystem::path resolve_shipped(const std::string& given, const std::string& file_name) {
  if (given != "auto") return given;
  return find_shipped("lut", file_name, "hwnas profile and hwnas fit-latency make them for this device");
}

cost::LatencyTable profile_table(const space::AnySpace& space, const cost::LatencyOptions& protocol,
                                 const std::filesystem::path& path, const ProfileSettings& settings) {
  const std::string name(space.name());
  const cost::Device device = cost::this_device(protocol.threads());
  cost::LatencyTable table(name, device, protocol);
  if (std::filesystem::exists(path)) {
    auto existing = cost::LatencyTable::load(path);
    if (settings.force) {
      if (!settings.quiet) fmt::print(stderr, "{}: replacing the table (--force)\n", path.string());
    } else {
      existing.check_matches(name, device, false);
      table = std::move(existing);  // resume with the table's own protocol
    }
  }
  const auto layers = cost::distinct_layers(space);
  {
    ProgressBar bar(std::ssize(layers), "profiling layers");
    cost::profile_layers(layers, table, [&](const std::string&, std::int64_t done, std::int64_t) {
      table.save(path);
      if (!settings.quiet) bar.update(done);
    });
    if (!settings.quiet) bar.finish();
  }
  Rng rng(settings.seed);
  std::vector<space::AnyArch> archs;
  for (std::int64_t i = 0; i < settings.overhead_archs; ++i) archs.push_back(space.sample(rng));
  if (const double residual_ms = cost::fit_overhead(space, table, archs); residual_ms < 0.0 && !settings.quiet)
    fmt::print(stderr,
               "{}: the layers timed alone sum to {:.4f} ms more than whole networks; the overhead is kept at 0 "
               "and the table overestimates (profile again with more --runs and --warmup on an idle machine)\n",
               path.string(), -residual_ms);
  table.save(path);
  return table;
}

}  // namespace hwnas::app
