#pragma once
/// \file
/// `JsonOptions`: reads a JSON object of settings field by field, so that
/// every mistake is a ConfigError naming the field:
///
///     JsonOptions o(json, "strategy");
///     options.population(o.get("population", options.population()));
///     o.finish();   // "strategy: unknown field 'popsize' (known: population, ...)"

#include <concepts>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"

namespace hwnas {

class JsonOptions {
 public:
  /// ConfigError unless `json` is an object (null reads as an empty one).
  JsonOptions(const nlohmann::json& json, std::string where) : json_(json), where_(std::move(where)) {
    HWNAS_CHECK_CONFIG(json.is_object() || json.is_null(), "{}: expected a JSON object, got {}", where_,
                       json.dump());
  }

  /// Whether the object has `field`.
  [[nodiscard]] bool has(std::string_view field) const { return json_.is_object() && json_.contains(field); }

  /// `field`, or `fallback` when absent; ConfigError when it has another type.
  template <class T>
  [[nodiscard]] T get(std::string_view field, T fallback) {
    known_.emplace(field);
    return has(field) ? read<T>(field) : fallback;
  }
  /// `field`, or nothing when absent or null; ConfigError when it has another type.
  template <class T>
  [[nodiscard]] std::optional<T> get_optional(std::string_view field) {
    known_.emplace(field);
    if (!has(field) || json_.at(std::string(field)).is_null()) return std::nullopt;
    return read<T>(field);
  }
  /// `field`; ConfigError when absent or of another type.
  template <class T>
  [[nodiscard]] T require(std::string_view field) {
    known_.emplace(field);
    HWNAS_CHECK_CONFIG(has(field), "{}: missing field '{}'", where_, field);
    return read<T>(field);
  }
  /// The sub-object `field` (null when absent), to read with its own JsonOptions.
  [[nodiscard]] const nlohmann::json& object(std::string_view field) {
    known_.emplace(field);
    static const nlohmann::json none;
    return has(field) ? json_.at(std::string(field)) : none;
  }

  /// ConfigError for any field that was not read: a misspelt setting is never silently ignored.
  void finish() const {
    if (!json_.is_object()) return;
    for (const auto& [field, value] : json_.items())
      HWNAS_CHECK_CONFIG(known_.contains(field), "{}: unknown field '{}' (known: {})", where_, field,
                         fmt::join(known_, ", "));
  }

  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  template <class T>
  [[nodiscard]] T read(std::string_view field) const {
    const nlohmann::json& value = json_.at(std::string(field));
    if (const char* expected = mismatch<T>(value))
      throw ConfigError(fmt::format("{}.{}: expected {}, got {}", where_, field, expected, value.dump()));
    return value.get<T>();
  }

  /// What `value` should have been to read as a `T`, or null when it is one.
  template <class T>
  [[nodiscard]] static const char* mismatch(const nlohmann::json& value) {
    if constexpr (std::same_as<T, bool>) {
      return value.is_boolean() ? nullptr : "true or false";
    } else if constexpr (std::unsigned_integral<T>) {
      // JSON built in C++ holds `7` as a signed integer; parsed text holds it unsigned.
      const bool non_negative =
          value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
      return non_negative ? nullptr : "a non-negative integer";
    } else if constexpr (std::integral<T>) {
      return value.is_number_integer() ? nullptr : "an integer";
    } else if constexpr (std::floating_point<T>) {
      return value.is_number() ? nullptr : "a number";
    } else if constexpr (std::same_as<T, std::string>) {
      return value.is_string() ? nullptr : "a string";
    } else if constexpr (std::same_as<T, std::vector<typename T::value_type>>) {
      using Element = typename T::value_type;
      const char* expected = std::integral<Element>         ? "a list of integers"
                             : std::floating_point<Element> ? "a list of numbers"
                                                            : "a list of strings";
      if (!value.is_array()) return expected;
      for (const auto& element : value)
        if (mismatch<Element>(element) != nullptr) return expected;
      return nullptr;
    } else {
      return nullptr;
    }
  }

  const nlohmann::json& json_;
  std::string where_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace hwnas
