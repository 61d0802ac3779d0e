#include "hwnas/cost/device.hpp"

#include <cctype>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/version.hpp"

// The build's flags reach this file alone (see CMakeLists.txt).
#ifndef HWNAS_BUILD_FLAGS
#define HWNAS_BUILD_FLAGS "unknown"
#endif

namespace hwnas::cost {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}

std::string compiler() {
#if defined(__clang__)
  return fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

/// Lower-case letters and digits, other runs of characters as one '-'.
std::string slug(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0)
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unknown" : out;
}

}  // namespace

std::string Device::id() const { return fmt::format("{}-t{}", slug(cpu), threads); }

Device this_device(int threads) {
  return Device{cpu_model(), threads, compiler(), HWNAS_BUILD_FLAGS, version()};
}

void check_same_target(std::string_view what, std::string_view made_for, const Device& made_on, std::string_view space,
                       const Device& device, bool force) {
  HWNAS_CHECK_CONFIG(space == made_for, "{} is for space '{}', not '{}'", what, made_for, space);
  HWNAS_CHECK_CONFIG(force || device == made_on,
                     "{} was measured on another device ({}: {}, {}, {}) than this one ({}: {}, {}, {}); "
                     "profile this device or force it",
                     what, made_on.id(), made_on.cpu, made_on.compiler, made_on.flags, device.id(), device.cpu,
                     device.compiler, device.flags);
}

void to_json(nlohmann::json& j, const Device& device) {
  j = {{"id", device.id()},
       {"cpu", device.cpu},
       {"threads", device.threads},
       {"compiler", device.compiler},
       {"flags", device.flags},
       {"library_version", device.library_version}};
}

void from_json(const nlohmann::json& j, Device& device) {
  HWNAS_CHECK_CONFIG(j.is_object(), "device fingerprint: expected an object, got {}", j.type_name());
  const auto field = [&](const char* name, auto& out) {
    HWNAS_CHECK_CONFIG(j.contains(name), "device fingerprint: missing field \"{}\"", name);
    try {
      j.at(name).get_to(out);
    } catch (const nlohmann::json::exception&) {
      throw ConfigError(fmt::format("device fingerprint: field \"{}\" has the wrong type", name));
    }
  };
  field("cpu", device.cpu);
  field("threads", device.threads);
  field("compiler", device.compiler);
  field("flags", device.flags);
  field("library_version", device.library_version);
}

}  // namespace hwnas::cost
