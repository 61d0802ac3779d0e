// Cost models: the device fingerprint, measured latency and the size costs.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/cost/latency.hpp"
#include "hwnas/cost/size_costs.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/version.hpp"
#include "support/expect.hpp"

namespace hwnas::cost {
namespace {

static_assert(CostModel<MeasuredLatency<space::OfaFmnistSpace>, space::OfaFmnistSpace>);
static_assert(CostModel<SizeCost<space::AnySpace>, space::AnySpace>);

TEST(Device, FingerprintNamesThisMachineAndRoundTrips) {
  const Device d = this_device(2);
  EXPECT_FALSE(d.cpu.empty());
  EXPECT_EQ(d.threads, 2);
  EXPECT_EQ(d.library_version, version());
  EXPECT_NE(d.flags, "unknown") << "the build passes its flags";
  EXPECT_TRUE(d.id().ends_with("-t2")) << d.id();
  EXPECT_EQ(d.id().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"), std::string::npos) << d.id();
  const nlohmann::json j = d;
  EXPECT_EQ(j["id"], d.id());
  EXPECT_EQ(j.get<Device>(), d);
  EXPECT_NE(this_device(1), d);
}

TEST(Device, MalformedFingerprintsNameTheField) {
  nlohmann::json j = this_device(1);
  j.erase("compiler");
  testing::expect_error_containing<ConfigError>([&] { (void)j.get<Device>(); }, "missing field \"compiler\"");
  j = this_device(1);
  j["threads"] = "two";
  testing::expect_error_containing<ConfigError>([&] { (void)j.get<Device>(); }, "\"threads\" has the wrong type");
}

TEST(MeasuredLatency, FollowsTheProtocolAndRecordsTheDevice) {
  const space::OfaFmnistSpace space;
  Rng rng(1);
  const auto arch = space.sample(rng);
  const MeasuredLatency<space::OfaFmnistSpace> measured(space, LatencyOptions{}.runs(7).warmup(1).threads(1));
  const LatencyMeasurement m = measured.measure(arch);
  EXPECT_EQ(m.runs, 7);
  EXPECT_EQ(m.batch, 1);
  EXPECT_EQ(m.device, this_device(1));
  EXPECT_GT(m.min_ms, 0.0);
  EXPECT_LE(m.min_ms, m.median_ms);
  EXPECT_LE(m.median_ms, m.p90_ms);
  EXPECT_GE(m.std_ms, 0.0);
  const Cost c = measured.cost(arch);
  EXPECT_EQ(c.unit, "ms");
  EXPECT_EQ(c.device, this_device(1).id());
  EXPECT_GT(c.value, 0.0);
  auto net = space.build(arch);
  testing::expect_error_containing<ConfigError>(
      [&] { (void)measure_latency(*net, Shape{1, 28, 28}, LatencyOptions{}.threads(0)); },
      "batch and threads must be >= 1");
}

TEST(SizeCost, CountsWithoutADevice) {
  const auto space = space::make_space("proxyless");
  Rng rng(4);
  const auto arch = space.sample(rng);
  const SizeCost<space::AnySpace> macs(space, SizeCost<space::AnySpace>::Measure::macs);
  EXPECT_EQ(macs.cost(arch), (Cost{static_cast<double>(space.macs(arch)), "MACs", ""}));
  EXPECT_EQ(SizeCost<space::AnySpace>(space, SizeCost<space::AnySpace>::Measure::params).cost(arch).value,
            static_cast<double>(space.params(arch)));
}

}  // namespace
}  // namespace hwnas::cost
