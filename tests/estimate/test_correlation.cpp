// Rank correlations against reference values (tests/golden/correlation.py),
// scipy's documented examples, and the bootstrap interval's behaviour.

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/estimate/correlation.hpp"
#include "golden/golden.hpp"
#include "support/expect.hpp"

namespace hwnas::estimate {
namespace {

TEST(Correlation, MatchesTheReferenceDefinitions) {
  const auto cases = testing::golden_file("correlation");
  ASSERT_GE(cases.size(), 7U);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto x = c["x"].get<std::vector<double>>();
    const auto y = c["y"].get<std::vector<double>>();
    for (const auto& [key, value] : {std::pair{"kendall_tau", kendall_tau(x, y)}, std::pair{"spearman_rho", spearman_rho(x, y)}}) {
      if (c[key].is_null()) {
        EXPECT_TRUE(std::isnan(value)) << key;
      } else {
        EXPECT_NEAR(value, c[key].get<double>(), 1e-12) << key;
      }
    }
  }
}

TEST(Correlation, ScipyDocumentationExamples) {
  // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) and
  // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).
  const std::vector<double> x1{12, 2, 1, 12, 2};
  const std::vector<double> y1{1, 4, 7, 1, 0};
  EXPECT_NEAR(kendall_tau(x1, y1), -0.47140452079103173, 1e-12);
  const std::vector<double> x2{1, 2, 3, 4, 5};
  const std::vector<double> y2{5, 6, 7, 8, 7};
  EXPECT_NEAR(spearman_rho(x2, y2), 0.82078268166812329, 1e-12);
}

TEST(Correlation, AverageRanksShareTies) {
  EXPECT_EQ(average_ranks(std::vector<double>{10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
}

TEST(Correlation, BadInputIsAConfigError) {
  const std::vector<double> three{1, 2, 3};
  const std::vector<double> two{1, 2};
  testing::expect_error_containing<ConfigError>([&] { (void)kendall_tau(three, two); }, "3 x values but 2 y values");
  testing::expect_error_containing<ConfigError>([&] { (void)spearman_rho(std::vector<double>{1}, std::vector<double>{1}); },
                                                "needs at least 2 pairs");
}

TEST(BootstrapInterval, IsSeededAndBracketsTheEstimate) {
  std::vector<double> x;
  std::vector<double> y;
  Rng data(3);
  for (int i = 0; i < 80; ++i) {
    x.push_back(i);
    y.push_back(i + data.normal(0.0, 20.0));
  }
  const double tau = kendall_tau(x, y);
  Rng a(9);
  Rng b(9);
  const Interval i1 = bootstrap_interval(x, y, kendall_tau, a, 400);
  const Interval i2 = bootstrap_interval(x, y, kendall_tau, b, 400);
  EXPECT_EQ(i1.low, i2.low);
  EXPECT_EQ(i1.high, i2.high);
  EXPECT_LT(i1.low, tau);
  EXPECT_GT(i1.high, tau);
  EXPECT_LT(i1.high - i1.low, 0.5);
  Rng c(9);
  const Interval narrow = bootstrap_interval(x, y, kendall_tau, c, 400, 0.5);
  EXPECT_GT(narrow.low, i1.low);
  EXPECT_LT(narrow.high, i1.high);
}

}  // namespace
}  // namespace hwnas::estimate
