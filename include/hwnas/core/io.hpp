#pragma once
/// \file
/// File helpers shared by everything that persists results: whole-file reads
/// with clear errors, and atomic writes (temporary file + rename) so an
/// interrupted run never leaves a half-written file behind.

#include <filesystem>
#include <string>
#include <string_view>

namespace hwnas {

/// The whole contents of `path`; IoError naming the file if it cannot be read.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

/// Replaces `path` with `contents` atomically: readers see the old file or the
/// new one, never a partial one. Parent directories are created as needed.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace hwnas
