#pragma once
// Where the tool keeps latency tables and predictors: the shipped ones, `--lut auto` and `--mlp auto`.

#include <filesystem>
#include <string>
#include <vector>

#include "hwnas/cost/device.hpp"
#include "hwnas/cost/latency_table.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::app {

/// The file name of `space`'s table for `device`: "<space>-<device id>.json".
[[nodiscard]] std::string table_file_name(const std::string& space, const cost::Device& device);

/// The directories searched for shipped files of `subdir` ("lut", "supernet"),
/// in order: $HWNAS_DATA_DIR/<subdir>, the installed share/hwnas/<subdir>, the
/// source tree's data/<subdir>.
[[nodiscard]] std::vector<std::filesystem::path> data_directories(const std::string& subdir);

/// The first shipped `subdir/file_name`; ConfigError naming the places
/// searched, followed by `how_to_make` (which command makes such a file), otherwise.
[[nodiscard]] std::filesystem::path find_shipped(const std::string& subdir, const std::string& file_name,
                                                 const std::string& how_to_make);

/// The file name of `space`'s MLP latency predictor for `device`: "<space>-<device id>-mlp.json".
[[nodiscard]] std::string predictor_file_name(const std::string& space, const cost::Device& device);

/// `given` as it is, or for "auto" the first shipped file called `file_name`;
/// ConfigError naming the places searched when there is none.
[[nodiscard]] std::filesystem::path resolve_shipped(const std::string& given, const std::string& file_name);

struct ProfileSettings {
  /// Sampled whole networks the per-inference overhead is fitted on.
  std::int64_t overhead_archs = 20;
  /// Seeds those samples.
  std::uint64_t seed = 0;
  /// Replace a table of another space or device at `path` instead of refusing.
  bool force = false;
  /// No progress bar.
  bool quiet = false;
};

/// Profiles `space`'s layer-wise table on this machine into `path`: every
/// distinct layer timed alone (progress bar), the table saved atomically
/// after each, so that a table already at `path` is resumed; then the
/// overhead fitted on whole networks.
[[nodiscard]] cost::LatencyTable profile_table(const space::AnySpace& space, const cost::LatencyOptions& protocol,
                                               const std::filesystem::path& path, const ProfileSettings& settings);

}  // namespace hwnas::app
