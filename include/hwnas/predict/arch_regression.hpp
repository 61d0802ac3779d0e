#pragma once
/// \file
/// `fit_arch_regressor`: an `MlpRegressor` fitted on (architecture, value)
/// pairs of a space, on its encodings, with a seeded 80/10/10 split (train,
/// epoch choice, held out) and its held-out metrics. Latency predictors and
/// supernet accuracy predictors are both this, on different values.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/predict/mlp_regressor.hpp"
#include "hwnas/space/concepts.hpp"

namespace hwnas::predict {

struct ArchRegression {
  MlpRegressor model;
  RegressionMetrics held_out;
  /// Indices into the pairs: 80% trained on, 10% chose the epoch, 10% held out.
  std::vector<std::size_t> train, validation, test;
  /// The model's predictions for the held-out pairs, in `test` order.
  std::vector<double> test_predicted;
};

/// ConfigError naming `who` for fewer than 10 pairs.
template <space::SearchSpace Space>
[[nodiscard]] ArchRegression fit_arch_regressor(const Space& space,
                                                const std::vector<std::pair<typename Space::Arch, double>>& pairs,
                                                const MlpRegressorOptions& options, std::uint64_t seed,
                                                std::string_view who, std::string_view what) {
  const auto n = std::ssize(pairs);
  HWNAS_CHECK_CONFIG(n >= 10, "{}: needs at least 10 {} architectures, got {}", who, what, n);
  Rng rng(seed);
  const auto order = data::random_permutation(n, rng);
  ArchRegression fitted;
  for (std::int64_t i = 0; i < n; ++i) {
    auto& part = i < n * 8 / 10 ? fitted.train : i < n * 9 / 10 ? fitted.validation : fitted.test;
    part.push_back(static_cast<std::size_t>(order[static_cast<std::size_t>(i)]));
  }
  const auto gather = [&](const std::vector<std::size_t>& indices, MlpRegressor::Features& x, std::vector<double>& y) {
    for (const auto i : indices) {
      x.push_back(space.encode(pairs[i].first));
      y.push_back(pairs[i].second);
    }
  };
  MlpRegressor::Features train_x, val_x, test_x;
  std::vector<double> train_y, val_y, test_y;
  gather(fitted.train, train_x, train_y);
  gather(fitted.validation, val_x, val_y);
  gather(fitted.test, test_x, test_y);
  fitted.model = MlpRegressor::fit(train_x, train_y, val_x, val_y, options);
  for (const auto& x : test_x) fitted.test_predicted.push_back(fitted.model.predict(x));
  fitted.held_out = regression_metrics(fitted.test_predicted, test_y);
  return fitted;
}

}  // namespace hwnas::predict
