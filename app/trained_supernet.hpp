#pragma once
// A trained supernet as the tool finds and uses it: `hwnas supernet eval` and
// `fit-predictor`, and the "supernet" and "ofa-predictor" estimators of
// `hwnas search`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hwnas/data/datasets.hpp"
#include "hwnas/supernet/ofa_supernet.hpp"
#include "hwnas/supernet/recipe.hpp"
#include "hwnas/supernet/supernet_accuracy.hpp"

namespace hwnas::app {

using SupernetEstimator = supernet::SupernetAccuracy<supernet::OfaSupernet>;

/// The dataset split as `recipe` splits it (its validation size and seed).
[[nodiscard]] data::Dataset recipe_data(const supernet::Recipe& recipe, const std::string& dataset,
                                        const std::string& data_dir);

/// The first `limit` held-out images (all when there are fewer).
[[nodiscard]] std::shared_ptr<const data::LabelledImages> held_out_images(const data::Dataset& data,
                                                                           std::int64_t limit);

/// Once-for-All's recalibration set: `calibration` training images drawn by
/// `seed`, in batches of (at most) 200.
[[nodiscard]] std::vector<Tensor> calibration_batches(const data::Dataset& data, std::int64_t calibration,
                                                      std::uint64_t seed);

/// Scores subnets on (up to `limit` of) the held-out images after recalibrating batch norms on
/// `calibration` training images drawn by `seed` (Once-for-All: 2,000 in batches of 200).
[[nodiscard]] SupernetEstimator supernet_estimator(std::shared_ptr<const supernet::OfaSupernet> net,
                                                   const data::Dataset& data, std::uint64_t seed, std::int64_t limit,
                                                   std::int64_t calibration);

/// A trained supernet: `dir`'s recipe and final weights, and the data split it was trained on.
struct TrainedSupernet {
  supernet::Recipe recipe;
  data::Dataset data;
  std::shared_ptr<supernet::OfaSupernet> net = std::make_shared<supernet::OfaSupernet>();

  /// ConfigError when `dir` holds no recipe.json and supernet.state.
  TrainedSupernet(const std::filesystem::path& dir, const std::string& dataset, const std::string& data_dir);

  /// The estimator on all held-out images, recalibrating on `calibration` training images.
  [[nodiscard]] SupernetEstimator estimator(std::int64_t calibration) const;
  /// The same on the test images.
  [[nodiscard]] SupernetEstimator test_estimator(std::int64_t calibration) const;
};

/// `given` as it is, or for "auto" the shipped supernet of `space` (data/supernet/<space>).
[[nodiscard]] std::filesystem::path resolve_supernet(const std::string& given, const std::string& space);

/// `given` as it is, or for "auto" the shipped accuracy predictor of `space`
/// (data/supernet/<space>-accuracy-predictor.json).
[[nodiscard]] std::filesystem::path resolve_accuracy_predictor(const std::string& given, const std::string& space);

}  // namespace hwnas::app
