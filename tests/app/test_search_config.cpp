#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "search_config.hpp"

namespace hwnas::app {
namespace {

using nlohmann::json;

TEST(SearchConfig, OfaFmnistDefaultsToTheShippedSupernetAndItsPredictor) {
  const SearchConfig c = SearchConfig::from_json(json::object());
  EXPECT_EQ(c.space, "ofa-fmnist");
  EXPECT_EQ(c.estimator, (json{{"name", "ofa-predictor"}, {"file", "auto"}}));
  EXPECT_EQ(c.final, (json{{"supernet", "auto"}, {"measure", true}}));
}

TEST(SearchConfig, OtherSpacesDefaultToZenScoreAndBriefTraining) {
  const SearchConfig c = SearchConfig::from_json({{"space", "nb201"}});
  EXPECT_EQ(c.estimator, (json{{"name", "zen"}}));
  EXPECT_EQ(c.final.value("epochs", 0), 1);
  EXPECT_FALSE(c.final.contains("supernet"));
}

TEST(SearchConfig, RoundTripsThroughJson) {
  const SearchConfig c = SearchConfig::from_json(
      {{"final", {{"epochs", 3}, {"train_subset", 500}}}, {"budget", {{"evaluations", 40}}}, {"seed", 7}});
  EXPECT_EQ(SearchConfig::from_json(c.to_json()).to_json(), c.to_json());
  EXPECT_EQ(c.final, (json{{"epochs", 3}, {"train_subset", 500}}));
  EXPECT_EQ(c.seed, 7U);
}

TEST(SearchConfig, FinalEitherKeepsTheSupernetsWeightsOrTrains) {
  EXPECT_FALSE(SearchConfig::from_json({{"final", {{"supernet", nullptr}}}}).final.contains("supernet"))
      << "a null supernet means training";
  const auto message = [](const json& config) {
    try {
      (void)SearchConfig::from_json(config);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"final", {{"supernet", "auto"}, {"epochs", 2}}}}).find("not both"), std::string::npos);
  EXPECT_NE(message({{"space", "nb201"}, {"final", {{"supernet", "auto"}}}}).find("only for ofa-fmnist"),
            std::string::npos);
  EXPECT_NE(message({{"final", {{"epoch", 2}}}}).find("epoch"), std::string::npos);
  EXPECT_EQ(SearchConfig::from_json({{"final", {{"supernet", "auto"}, {"data", "synthetic"}}}}).final["data"],
            "synthetic");
  EXPECT_NE(message({{"final", {{"data", "imagenet"}}}}).find("final.data: unknown dataset 'imagenet'"),
            std::string::npos);
}

}  // namespace
}  // namespace hwnas::app
