#pragma once
// Loads the reference values written by the scripts in tests/golden.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/core/tensor.hpp"

namespace hwnas::testing {

/// The whole reference file tests/golden/data/<suite>.json.
inline nlohmann::json golden_file(const std::string& suite) {
  const auto path = std::filesystem::path(HWNAS_TEST_DIR) / "golden" / "data" / (suite + ".json");
  return nlohmann::json::parse(read_file(path));
}

/// The cases of one suite file under tests/golden/data.
inline nlohmann::json golden_cases(const std::string& suite) { return golden_file(suite).at("cases"); }

/// A `{"shape", "values"}` object as a tensor of scalar type T.
template <Scalar T>
BasicTensor<T> golden_tensor(const nlohmann::json& j) {
  const auto values = j.at("values").get<std::vector<double>>();
  BasicTensor<T> t(Shape(j.at("shape").get<std::vector<std::int64_t>>()));
  for (std::size_t i = 0; i < values.size(); ++i) t[static_cast<std::int64_t>(i)] = static_cast<T>(values[i]);
  return t;
}

}  // namespace hwnas::testing
