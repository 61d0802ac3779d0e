// The progressive-shrinking recipe: JSON round trip, every mistake named,
// and subnets drawn only from a phase's choices, all of them in time.

#include <functional>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/supernet/recipe.hpp"
#include "support/expect.hpp"

namespace hwnas::supernet {
namespace {

TEST(Recipe, DefaultRoundTripsThroughJson) {
  const Recipe recipe = default_recipe();
  ASSERT_EQ(recipe.phases.size(), 6U);
  EXPECT_FALSE(recipe.phases[0].distill);
  EXPECT_TRUE(recipe.phases[4].elastic_width());
  EXPECT_FALSE(recipe.phases[3].elastic_width());
  EXPECT_EQ(Recipe::from_json(nlohmann::json::parse(recipe.to_json().dump())), recipe);
}

TEST(Recipe, NamesTheFieldOfEveryMistake) {
  const auto with = [](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json json = default_recipe().to_json();
    edit(json);
    return json;
  };
  const auto expect_error = [](const nlohmann::json& json, const std::string& fragment) {
    testing::expect_error_containing<ConfigError>([&] { (void)Recipe::from_json(json); }, fragment);
  };
  expect_error(with([](auto& j) { j["phases"][1]["kernel_sizes"] = {3, 9}; }),
               "recipe.phases[1].kernel_sizes: 9 is not one of 3, 5, 7");
  expect_error(with([](auto& j) { j["phases"][2]["depths"] = nlohmann::json::array(); }),
               "recipe.phases[2].depths: needs at least one value");
  expect_error(with([](auto& j) { j["phases"][3]["expand_ratios"] = {4, 4}; }), "4 is listed twice");
  expect_error(with([](auto& j) { j["phases"][1]["epoch"] = 2; }), "recipe.phases[1]: unknown field 'epoch'");
  expect_error(with([](auto& j) { j["phases"][1]["depths"] = "all"; }),
               "recipe.phases[1].depths: expected a list of integers");
  expect_error(with([](auto& j) { j["phases"][0]["distill"] = true; }), "cannot distil");
  expect_error(with([](auto& j) { j["batch_size"] = 1; }), "recipe.batch_size");
  expect_error(with([](auto& j) { j["resolutions"] = {28, 30}; }), "recipe.resolutions: 30 is not one of");
  expect_error(with([](auto& j) { j["phases"] = nlohmann::json::array(); }), "non-empty list of phases");
  expect_error(with([](auto& j) { j["phases"][5].erase("name"); }), "recipe.phases[5]: missing field 'name'");
}

TEST(Recipe, SubnetsComeFromThePhasesChoicesAndCoverThem) {
  const Phase phase = default_recipe().phases[3];  // kernel {3,5,7}, expand {6}, depth {2,3,4}
  Rng rng(1);
  std::set<std::int64_t> kernels;
  std::set<std::int64_t> depths;
  for (int i = 0; i < 50; ++i) {
    const auto arch = sample_subnet(phase, 24, rng);
    EXPECT_EQ(arch.r, 24);
    for (auto k : arch.ks) kernels.insert(k);
    for (auto e : arch.e) EXPECT_EQ(e, 6);
    for (auto d : arch.d) depths.insert(d);
  }
  EXPECT_EQ(kernels, (std::set<std::int64_t>{3, 5, 7}));
  EXPECT_EQ(depths, (std::set<std::int64_t>{2, 3, 4}));
  const auto small = smallest_subnet(phase, 20);
  const auto large = largest_subnet(phase, 32);
  EXPECT_EQ(small.ks[5], 3);
  EXPECT_EQ(small.d[2], 2);
  EXPECT_EQ(large.ks[5], 7);
  EXPECT_EQ(large.d[2], 4);
  EXPECT_EQ(large.r, 32);
}

}  // namespace
}  // namespace hwnas::supernet
