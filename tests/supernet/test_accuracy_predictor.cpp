// The accuracy predictor: it learns a smooth accuracy of ofa-fmnist
// subnets, ranks held-out ones, survives its file, serves as an estimator,
// and refuses another space, a corrupt file or too few pairs.

#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/io.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/supernet/accuracy_predictor.hpp"
#include "support/expect.hpp"

namespace hwnas::supernet {
namespace {

using space::OfaFmnistArch;
using space::OfaFmnistSpace;

static_assert(estimate::AccuracyEstimator<PredictedAccuracy<OfaFmnistSpace>, OfaFmnistSpace>);

/// A made-up accuracy: wider, deeper, larger-kernel and higher-resolution subnets do better.
double made_up_accuracy(const OfaFmnistSpace& space, const OfaFmnistArch& arch) {
  const auto config = space.config(arch);
  double score = 0.80 + 0.002 * static_cast<double>(arch.r - 20);
  for (const auto& stage : config.stages)
    for (const auto& block : stage.blocks)
      score += 0.0008 * static_cast<double>(block.expand) + 0.0005 * static_cast<double>(block.kernel_size);
  return score;
}

std::vector<std::pair<OfaFmnistArch, double>> pairs(std::int64_t n) {
  const OfaFmnistSpace space;
  Rng rng(3);
  std::vector<std::pair<OfaFmnistArch, double>> out;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto arch = space.sample(rng);
    out.emplace_back(arch, made_up_accuracy(space, arch));
  }
  return out;
}

TEST(AccuracyPredictor, LearnsAndRanksHeldOutSubnets) {
  const OfaFmnistSpace space;
  const auto fitted =
      fit_accuracy_predictor(space, pairs(600), "test-supernet", 1, accuracy_predictor_options(1).epochs(100));
  EXPECT_EQ(fitted.held_out().n, 60);
  EXPECT_LT(fitted.held_out().rmse, 0.005) << "half an accuracy point";
  EXPECT_GT(fitted.held_out_tau(), 0.8) << "rmse " << fitted.held_out().rmse;

  const auto path = std::filesystem::path(::testing::TempDir()) / "hwnas-accuracy-predictor.json";
  fitted.save(path);
  const auto loaded = std::make_shared<const AccuracyPredictor>(AccuracyPredictor::load(path));
  EXPECT_EQ(loaded->supernet(), "test-supernet");
  EXPECT_EQ(loaded->held_out_tau(), fitted.held_out_tau());
  const PredictedAccuracy<OfaFmnistSpace> estimator(space, loaded);
  const auto arch = space.largest();
  EXPECT_EQ(estimator.estimate(arch).value, fitted.predict(space.encode(arch)));

  write_file_atomically(path, "{\"kind\": \"accuracy-mlp\", \"space\": 3}");
  testing::expect_error_containing<IoError>([&] { (void)AccuracyPredictor::load(path); }, "accuracy predictor");
  testing::expect_error_containing<ConfigError>(
      [&] { PredictedAccuracy<space::Nb201Space>(space::Nb201Space{}, loaded); },
      "made for space 'ofa-fmnist', not 'nb201'");
}

TEST(AccuracyPredictor, NeedsTenPairs) {
  testing::expect_error_containing<ConfigError>(
      [] { (void)fit_accuracy_predictor(OfaFmnistSpace{}, pairs(9), "s", 0, accuracy_predictor_options(0)); },
      "needs at least 10 scored architectures, got 9");
}

}  // namespace
}  // namespace hwnas::supernet
