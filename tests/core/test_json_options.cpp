// JsonOptions: settings read field by field, every mistake named.

#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/json_options.hpp"
#include "support/expect.hpp"

namespace hwnas {
namespace {

TEST(JsonOptions, ReadsPresentFieldsAndFallsBackForAbsentOnes) {
  const nlohmann::json json = {{"count", 3}, {"rate", 1}, {"name", "x"}, {"on", true}, {"limit", nullptr}};
  JsonOptions o(json, "part");
  EXPECT_EQ(o.get<std::int64_t>("count", 0), 3);
  EXPECT_EQ(o.get("rate", 0.5), 1.0) << "integers are numbers";
  EXPECT_EQ(o.require<std::string>("name"), "x");
  EXPECT_TRUE(o.get("on", false));
  EXPECT_EQ(o.get_optional<double>("limit"), std::nullopt) << "null reads as absent";
  EXPECT_EQ(o.get_optional<double>("missing"), std::nullopt);
  EXPECT_EQ(o.get("missing", 7), 7);
  EXPECT_EQ(o.get<std::uint64_t>("count", 0), 3U) << "JSON built in C++ holds 3 as a signed integer";
  o.finish();
}

TEST(JsonOptions, NamesTheFieldOfEveryMistake) {
  const nlohmann::json json = {{"count", 2.5}, {"seed", -1}, {"name", 4}, {"extra", 1}};
  JsonOptions o(json, "part");
  testing::expect_error_message<ConfigError>([&] { (void)o.get<std::int64_t>("count", 0); },
                                             "part.count: expected an integer, got 2.5");
  testing::expect_error_message<ConfigError>([&] { (void)o.get<std::uint64_t>("seed", 0); },
                                             "part.seed: expected a non-negative integer, got -1");
  testing::expect_error_message<ConfigError>([&] { (void)o.get<std::string>("name", ""); },
                                             "part.name: expected a string, got 4");
  testing::expect_error_message<ConfigError>([&] { (void)o.require<bool>("flag"); }, "part: missing field 'flag'");
  testing::expect_error_message<ConfigError>([&] { o.finish(); },
                                             "part: unknown field 'extra' (known: count, flag, name, seed)");
  testing::expect_error_containing<ConfigError>([] { JsonOptions(nlohmann::json::array(), "part"); },
                                                "part: expected a JSON object");
}

}  // namespace
}  // namespace hwnas
