// MlpRegressor: learns a smooth function of its features, keeps its
// standardisation, round-trips through JSON with identical predictions, and
// refuses malformed sets and models; the nn-Meter metrics on known values.

#include <cmath>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/predict/mlp_regressor.hpp"
#include "support/expect.hpp"

namespace hwnas::predict {
namespace {

/// A latency-like target: positive, additive in the features with an interaction.
double target(const std::vector<float>& f) { return 5.0 + 3.0 * f[0] + 2.0 * f[1] * f[2] + std::abs(f[3]); }

MlpRegressor::Features sample(std::int64_t n, Rng& rng, std::vector<double>& y) {
  MlpRegressor::Features x;
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<float> f(5);
    for (auto& v : f) v = static_cast<float>(rng.uniform() * 2.0 - 1.0);
    f[4] = 100.0F;  // a constant feature must not break the standardisation
    y.push_back(target(f));
    x.push_back(std::move(f));
  }
  return x;
}

TEST(RegressionMetrics, FollowTheNnMeterConvention) {
  const std::vector<double> measured{10.0, 10.0, 20.0, 40.0};
  const std::vector<double> predicted{10.5, 12.0, 20.0, 36.0};
  const RegressionMetrics m = regression_metrics(predicted, measured);
  EXPECT_EQ(m.n, 4);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt((0.25 + 4.0 + 0.0 + 16.0) / 4.0));
  EXPECT_DOUBLE_EQ(m.relative_rmse, m.rmse / 20.0);
  EXPECT_DOUBLE_EQ(m.within_10_percent, 0.75) << "12 is 20% off 10; 36 is exactly 10% off 40";
  testing::expect_error_containing<ConfigError>([] { (void)regression_metrics({}, {}); }, "non-zero counts");
}

TEST(MlpRegressor, LearnsASmoothFunctionAndRoundTrips) {
  Rng rng(3);
  std::vector<double> y;
  std::vector<double> val_y;
  std::vector<double> test_y;
  const auto x = sample(800, rng, y);
  const auto val_x = sample(100, rng, val_y);
  const auto test_x = sample(100, rng, test_y);
  const MlpRegressor model =
      MlpRegressor::fit(x, y, val_x, val_y, MlpRegressorOptions{}.hidden({64, 64}).epochs(60).seed(1));
  std::vector<double> predicted;
  for (const auto& f : test_x) predicted.push_back(model.predict(f));
  const RegressionMetrics m = regression_metrics(predicted, test_y);
  EXPECT_LT(m.relative_rmse, 0.05) << "rmse " << m.rmse;
  EXPECT_GT(m.within_10_percent, 0.9);

  const std::string text = model.to_json().dump();
  const MlpRegressor back = MlpRegressor::from_json(nlohmann::json::parse(text));
  for (const auto& f : test_x) EXPECT_EQ(back.predict(f), model.predict(f));
  EXPECT_EQ(back.input_size(), 5);
  EXPECT_EQ(back.to_json().dump(), text) << "a reloaded model saves to the same text";
  // Weights are written with a float's digits (at most 9 significant), not a double's 17.
  const double weight = nlohmann::json::parse(text)["layers"][0]["weight"][0].get<double>();
  EXPECT_LE(fmt::format("{}", weight).size(), std::size_t{16});
}

TEST(MlpRegressor, RefusesMalformedSetsAndModels) {
  const MlpRegressor::Features x{{1.0F, 2.0F}, {3.0F}};
  const std::vector<double> y{1.0, 2.0};
  testing::expect_error_containing<ConfigError>(
      [&] { (void)MlpRegressor::fit(x, y, x, y, MlpRegressorOptions{}); }, "feature rows of unequal lengths");
  testing::expect_error_containing<ConfigError>(
      [&] { (void)MlpRegressor::fit({{1.0F}}, y, {{1.0F}}, y, MlpRegressorOptions{}); },
      "needs as many targets (2) as feature rows (1)");
  Rng rng(1);
  std::vector<double> t;
  const auto good = sample(20, rng, t);
  const MlpRegressor model = MlpRegressor::fit(good, t, good, t, MlpRegressorOptions{}.hidden({4}).epochs(1));
  testing::expect_error_containing<ConfigError>([&] { (void)model.predict(std::vector<float>{1.0F}); },
                                                "expected 5 features, got 1");
  nlohmann::json j = model.to_json();
  j["layers"][0]["cols"] = 7;
  testing::expect_error_containing<ConfigError>([&] { (void)MlpRegressor::from_json(j); },
                                                "layer 0 has inconsistent sizes");
  j.erase("feature_mean");
  testing::expect_error_containing<ConfigError>([&] { (void)MlpRegressor::from_json(j); },
                                                "missing array \"feature_mean\"");
}

}  // namespace
}  // namespace hwnas::predict
