#pragma once
/// \file
/// The fingerprint of the device a latency figure was measured on: what the
/// figure depends on besides the network. Latency tables and predictors
/// record it and refuse to predict for another device unless forced.

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hwnas::cost {

struct Device {
  /// The CPU's model name as the operating system reports it.
  std::string cpu;
  /// Kernel threads the measurements ran with.
  int threads = 1;
  /// Compiler and version, and the build's optimisation flags.
  std::string compiler;
  std::string flags;
  std::string library_version;

  /// A short file-name-safe name, e.g. "amd-epyc-9b45-t1-gcc12-native".
  [[nodiscard]] std::string id() const;
  friend bool operator==(const Device&, const Device&) = default;
};

/// This machine as hwnas sees it, measuring with `threads` threads.
[[nodiscard]] Device this_device(int threads);

/// ConfigError unless a `what` (e.g. "latency table") made for space
/// `made_for` on `made_on` serves space `space` on `device`; `force` waives
/// the device.
void check_same_target(std::string_view what, std::string_view made_for, const Device& made_on, std::string_view space,
                       const Device& device, bool force);

void to_json(nlohmann::json& j, const Device& device);
/// ConfigError naming a missing or mistyped field.
void from_json(const nlohmann::json& j, Device& device);

}  // namespace hwnas::cost
