// The MLP latency predictor: an 80/10/10 split judged on the held-out part,
// a file that round-trips with identical predictions, and refusals for
// another space, another device and corrupt files.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/cost/mlp_latency.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/space/proxyless.hpp"
#include "support/expect.hpp"

namespace hwnas::cost {
namespace {

namespace fs = std::filesystem;

static_assert(CostModel<MlpLatency<space::OfaFmnistSpace>, space::OfaFmnistSpace>);

/// Noise-free "latencies" shaped like real ones: a fixed part plus each active
/// block's cost (kernel x expand, scaled by the resolution), so the fit can be judged exactly.
std::vector<std::pair<space::OfaFmnistArch, double>> synthetic_measurements(std::int64_t n) {
  const space::OfaFmnistSpace space;
  Rng rng(8);
  std::vector<std::pair<space::OfaFmnistArch, double>> out;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto arch = space.sample(rng);
    double ms = 0.2;
    for (const auto& block : space.config(arch).stages)
      for (const auto& b : block.blocks) ms += 1e-5 * static_cast<double>(b.kernel_size * b.expand * arch.r);
    out.emplace_back(arch, ms);
  }
  return out;
}

TEST(MlpLatency, FitsOnEightyPercentAndIsJudgedOnTheHeldOutTenth) {
  const space::OfaFmnistSpace space;
  const auto measured = synthetic_measurements(400);
  const auto fitted = fit_latency_predictor(space, measured, this_device(1),
                                            predict::MlpRegressorOptions{}.hidden({64, 64}).epochs(80), 3);
  EXPECT_EQ(fitted.train.size(), 320U);
  EXPECT_EQ(fitted.validation.size(), 40U);
  EXPECT_EQ(fitted.test.size(), 40U);
  const auto& m = fitted.predictor.held_out();
  EXPECT_EQ(m.n, 40);
  EXPECT_GT(m.within_10_percent, 0.9) << "rmse " << m.rmse;

  const fs::path path = fs::path(::testing::TempDir()) / ("mlp-" + std::to_string(::getpid()) + ".json");
  fitted.predictor.save(path);
  auto loaded = std::make_shared<const LatencyPredictor>(LatencyPredictor::load(path));
  const MlpLatency<space::OfaFmnistSpace> mlp(space, loaded);
  for (const auto i : fitted.test) {
    const Cost c = mlp.cost(measured[i].first);
    EXPECT_EQ(c.value, fitted.predictor.predict(space.encode(measured[i].first)));
    EXPECT_EQ(c.unit, "ms");
  }
  EXPECT_EQ(loaded->held_out().within_10_percent, m.within_10_percent);
  testing::expect_error_containing<ConfigError>(
      [&] { MlpLatency<space::ProxylessSpace> wrong(space::ProxylessSpace{}, loaded); },
      "latency predictor is for space 'ofa-fmnist', not 'proxyless'");

  auto j = nlohmann::json::parse(std::ifstream(path));
  j["device"]["compiler"] = "msvc 19";
  std::ofstream(path) << j.dump();
  auto foreign = std::make_shared<const LatencyPredictor>(LatencyPredictor::load(path));
  testing::expect_error_containing<ConfigError>([&] { MlpLatency<space::OfaFmnistSpace> m2(space, foreign); },
                                                "latency predictor was measured on another device");
  EXPECT_NO_THROW((MlpLatency<space::OfaFmnistSpace>(space, foreign, /*force=*/true)));

  j.erase("model");
  std::ofstream(path) << j.dump();
  testing::expect_error_containing<IoError>([&] { (void)LatencyPredictor::load(path); }, "not a latency predictor");
  fs::remove(path);
  testing::expect_error_containing<ConfigError>(
      [&] {
        (void)fit_latency_predictor(space, synthetic_measurements(9), this_device(1), predict::MlpRegressorOptions{},
                                    0);
      },
      "needs at least 10 measured architectures, got 9");
}

}  // namespace
}  // namespace hwnas::cost
