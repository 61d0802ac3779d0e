#pragma once
/// \file
/// Reading numeric settings from environment variables.

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace hwnas::detail {

/// The value of environment variable `name` as a non-negative integer, or
/// nothing when it is unset or unreadable (callers then keep their default).
[[nodiscard]] inline std::optional<std::uint64_t> environment_count(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0' || *text == '-') return std::nullopt;
  try {
    std::size_t used = 0;
    const auto value = std::stoull(text, &used);
    if (text[used] != '\0') return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace hwnas::detail
