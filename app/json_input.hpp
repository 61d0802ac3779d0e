#pragma once
// Reading JSON the user gives the tool: one document, or one per line of a
// JSON Lines file. Malformed input is a ConfigError naming where it is.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace hwnas::app {

/// `text` parsed; ConfigError "<where>: not valid JSON: ..." otherwise.
[[nodiscard]] nlohmann::json parse_json(const std::string& text, const std::string& where);

/// Calls `fn(document, "<path>:<line>")` for every non-blank line of the
/// JSON Lines file `path`; a ConfigError from `fn` gets the place prefixed.
void for_each_json_line(const std::string& path,
                        const std::function<void(const nlohmann::json&, const std::string&)>& fn);

}  // namespace hwnas::app
