#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/space/any_space.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/space/proxyless.hpp"

namespace hwnas::space {

std::vector<std::string> space_names() { return {"ofa-fmnist", "nb201", "proxyless"}; }

AnySpace make_space(std::string_view name) {
  if (name == "ofa-fmnist") return AnySpace(OfaFmnistSpace{});
  if (name == "nb201") return AnySpace(Nb201Space{});
  if (name == "proxyless") return AnySpace(ProxylessSpace{});
  throw ConfigError(fmt::format("unknown search space '{}'; known: {}", name, fmt::join(space_names(), ", ")));
}

std::pair<AnySpace, AnyArch> parse_arch(const nlohmann::json& json) {
  HWNAS_CHECK_CONFIG(json.is_object() && json.contains("space") && json["space"].is_string(),
                     "an architecture must be a JSON object with a \"space\" field naming one of {}, got {}",
                     fmt::join(space_names(), ", "), json.dump());
  const std::string name = json["space"].get<std::string>();
  if (name == "nb201") {
    // The architecture carries its own classes and input size.
    const Nb201Arch arch = Nb201Space{}.from_json(json);
    return {AnySpace(Nb201Space(arch.classes, arch.input)), AnyArch(arch)};
  }
  AnySpace space = make_space(name);
  AnyArch arch = space.from_json(json);
  return {std::move(space), std::move(arch)};
}

}  // namespace hwnas::space
