#pragma once
// Where the tool keeps latency tables: the shipped ones and `--lut auto`.

#include <filesystem>
#include <string>
#include <vector>

#include "hwnas/cost/device.hpp"

namespace hwnas::app {

/// The file name of `space`'s table for `device`: "<space>-<device id>.json".
[[nodiscard]] std::string table_file_name(const std::string& space, const cost::Device& device);

/// The directories searched for shipped tables, in order: $HWNAS_DATA_DIR/lut,
/// the installed share/hwnas/lut, the source tree's data/lut.
[[nodiscard]] std::vector<std::filesystem::path> table_directories();

/// `--lut` as given, or for "auto" the first shipped table of `space` for
/// `device`; ConfigError naming the places searched when there is none.
[[nodiscard]] std::filesystem::path resolve_table(const std::string& lut, const std::string& space,
                                                  const cost::Device& device);

}  // namespace hwnas::app
