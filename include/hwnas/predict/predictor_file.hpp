#pragma once
/// \file
/// Reading a saved predictor (the latency and the accuracy MLP): a JSON
/// document whose "kind" names what it holds. Either failure, text that is
/// not such a document or fields that do not decode, becomes an IoError
/// naming the file.

#include <filesystem>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"

namespace hwnas::predict {

/// `decode(json)` of the file at `path`, whose "kind" must be `kind`; `what`
/// names such a file in messages ("latency predictor").
template <class Decode>
[[nodiscard]] auto load_predictor_file(const std::filesystem::path& path, std::string_view kind, std::string_view what,
                                       Decode decode) {
  const std::string text = read_file(path);
  const std::string_view article = what.find_first_of("aeiou") == 0 ? "an" : "a";
  try {
    const auto j = nlohmann::json::parse(text);
    HWNAS_CHECK_CONFIG(j.is_object() && j.value("kind", "") == kind, "not {} {}", article, what);
    return decode(j);
  } catch (const nlohmann::json::exception& e) {
    throw IoError(fmt::format("{}: not {} {}: {}", path.string(), article, what, e.what()));
  } catch (const ConfigError& e) {
    throw IoError(fmt::format("{}: corrupt {}: {}", path.string(), what, e.what()));
  }
}

}  // namespace hwnas::predict
