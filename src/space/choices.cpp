#include "hwnas/space/choices.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"

namespace hwnas::space::detail {
namespace {

bool allows(std::span<const std::int64_t> allowed, const nlohmann::json& value) {
  return value.is_number_integer() && std::ranges::find(allowed, value.get<std::int64_t>()) != allowed.end();
}

}  // namespace

void check_arch_object(const nlohmann::json& json, std::string_view space,
                       std::initializer_list<std::string_view> fields) {
  HWNAS_CHECK_CONFIG(json.is_object(), "{} architecture must be a JSON object, got {}", space, json.dump());
  HWNAS_CHECK_CONFIG(json.contains("space"), "{} architecture lacks the field \"space\"", space);
  HWNAS_CHECK_CONFIG(json["space"] == space, "architecture of space {} given where a {} architecture is expected",
                     json["space"].dump(), space);
  for (const std::string_view field : fields)
    HWNAS_CHECK_CONFIG(json.contains(field), "{} architecture lacks the field \"{}\"", space, field);
  for (const auto& [key, value] : json.items())
    HWNAS_CHECK_CONFIG(key == "space" || std::ranges::find(fields, key) != fields.end(),
                       "{} architecture has an unknown field \"{}\"; its fields are space, {}", space, key,
                       fmt::join(fields, ", "));
}

std::int64_t read_choice(const nlohmann::json& json, std::string_view space, std::string_view field,
                         std::span<const std::int64_t> allowed) {
  const auto& value = json.at(field);
  HWNAS_CHECK_CONFIG(allows(allowed, value), "{}: \"{}\" is {}; allowed: {}", space, field, value.dump(),
                     fmt::join(allowed, ", "));
  return value.get<std::int64_t>();
}

std::vector<std::int64_t> read_choices(const nlohmann::json& json, std::string_view space, std::string_view field,
                                       std::size_t count, std::span<const std::int64_t> allowed) {
  const auto& list = json.at(field);
  HWNAS_CHECK_CONFIG(list.is_array() && list.size() == count, "{}: \"{}\" must be a list of {} integers, got {}",
                     space, field, count, list.dump());
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < count; ++i) {
    HWNAS_CHECK_CONFIG(allows(allowed, list[i]), "{}: \"{}\"[{}] is {}; allowed: {}", space, field, i,
                       list[i].dump(), fmt::join(allowed, ", "));
    values.push_back(list[i].get<std::int64_t>());
  }
  return values;
}

void check_decisions(std::span<const std::int64_t> indices, std::string_view space,
                     std::span<const std::int64_t> options, const std::function<std::string(std::size_t)>& describe) {
  HWNAS_CHECK_CONFIG(indices.size() == options.size(), "{}: expected {} decisions, got {}", space, options.size(),
                     indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i)
    HWNAS_CHECK_CONFIG(indices[i] >= 0 && indices[i] < options[i],
                       "{}: decision {} ({}) is {}; it has {} options, indices 0 to {}", space, i, describe(i),
                       indices[i], options[i], options[i] - 1);
}

}  // namespace hwnas::space::detail
