#include "json_input.hpp"

#include <fstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::app {

nlohmann::json parse_json(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("{}: not valid JSON: {}", where, e.what()));
  }
}

void for_each_json_line(const std::string& path,
                        const std::function<void(const nlohmann::json&, const std::string&)>& fn) {
  std::ifstream in(path);
  HWNAS_CHECK_AS(IoError, in.good(), "cannot read {}", path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path, number);
    const nlohmann::json document = parse_json(line, where);
    try {
      fn(document, where);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: {}", where, e.what()));
    }
  }
}

}  // namespace hwnas::app
