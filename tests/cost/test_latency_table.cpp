// Layer-wise latency tables: keys and standalone layers for every layer a
// space can produce, profiling that resumes, files that round-trip and are
// refused when corrupt or made elsewhere, and predictions that never treat
// a missing layer as free.

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/cost/latency_table.hpp"
#include "hwnas/models/layers.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/space/proxyless.hpp"
#include "support/expect.hpp"

namespace hwnas::cost {
namespace {

namespace fs = std::filesystem;

static_assert(LayerwiseSpace<space::OfaFmnistSpace>);
static_assert(LayerwiseSpace<space::ProxylessSpace>);
static_assert(LayerwiseSpace<space::AnySpace>);
static_assert(CostModel<LutLatency<space::ProxylessSpace>, space::ProxylessSpace>);

LatencyOptions quick() { return LatencyOptions{}.warmup(0).runs(2).threads(1); }

fs::path temp_file(const std::string& name) {
  return fs::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()) + ".json");
}

TEST(LayerKey, ReadsAsTheSpecWritesIt) {
  const models::LayerSummary block{"mbconv", Shape{24, 14, 14}, Shape{24, 14, 14}, 7, 1, 6, false, true, "relu", 0, 0};
  EXPECT_EQ(models::layer_key(block), "mbconv-in:14x14x24-out:14x14x24-e:6-k:7-s:1-se:0-act:relu-res:1");
  const models::LayerSummary stem{"conv", Shape{1, 28, 28}, Shape{16, 14, 14}, 3, 2, 0, false, false, "relu", 0, 0};
  EXPECT_EQ(models::layer_key(stem), "conv-in:28x28x1-out:14x14x16-k:3-s:2-act:relu");
  const models::LayerSummary classifier{"linear", Shape{192}, Shape{10}, 0, 1, 0, false, false, "", 0, 0};
  EXPECT_EQ(models::layer_key(classifier), "linear-in:192-out:10");
}

TEST(DistinctLayers, CoverEverySampledArchitectureAndBuildAlone) {
  const space::OfaFmnistSpace ofa;
  const auto layers = distinct_layers(ofa);
  std::set<std::string> keys;
  for (const auto& layer : layers) keys.insert(models::layer_key(layer));
  EXPECT_EQ(keys.size(), layers.size());
  Rng rng(5);
  for (int i = 0; i < 200; ++i)
    for (const auto& row : ofa.summary(ofa.sample(rng)))
      EXPECT_TRUE(keys.contains(models::layer_key(row))) << models::layer_key(row) << " is not in the cover";

  NoGradGuard no_grad;
  for (const auto& layer : layers) {
    auto net = models::build_layer(layer);
    net->eval();
    std::vector<std::int64_t> dims{1};
    dims.insert(dims.end(), layer.input.dims().begin(), layer.input.dims().end());
    const Variable y = (*net)(Variable(Tensor(Shape(dims))));
    EXPECT_EQ(y.numel(), layer.output.numel()) << models::layer_key(layer);
  }
}

TEST(DistinctLayers, SpacesWithoutLayerwiseFormSaySo) {
  testing::expect_error_containing<ConfigError>([] { (void)space::make_space("nb201").layer_cover(); },
                                                "nb201: has no layer-wise form for latency tables");
  const models::LayerSummary cell{"cell", Shape{16, 32, 32}, Shape{16, 32, 32}, 0, 1, 0, false, false, "", 0, 0};
  testing::expect_error_containing<ConfigError>([&] { (void)models::build_layer(cell); },
                                                "a 'cell' layer has no standalone form");
}

TEST(LatencyTable, ProfilingResumesAndPredictsWithTheFittedOverhead) {
  const space::ProxylessSpace space;
  const auto layers = distinct_layers(space);
  LatencyTable table(std::string(space.name()), this_device(1), quick());
  // Interrupted after 5 layers: a second run measures only the others.
  std::int64_t measured_first = 0;
  try {
    profile_layers(layers, table, [&](const std::string&, std::int64_t done, std::int64_t) {
      measured_first = done;
      if (done == 5) throw Error("interrupted");
    });
  } catch (const Error&) {
  }
  EXPECT_EQ(std::ssize(table.entries()), 5);
  const auto kept = table.entries();
  std::int64_t calls = 0;
  profile_layers(layers, table, [&](const std::string&, std::int64_t, std::int64_t total) {
    ++calls;
    EXPECT_EQ(total, std::ssize(layers));
  });
  EXPECT_EQ(calls, std::ssize(layers));
  EXPECT_EQ(table.entries().size(), layers.size());
  for (const auto& [key, entry] : kept) EXPECT_EQ(table.at(key), entry) << key << " was measured again";

  Rng rng(2);
  const std::vector archs{space.sample(rng), space.sample(rng), space.sample(rng)};
  fit_overhead(space, table, archs);
  const LutLatency<space::ProxylessSpace> lut(space, std::make_shared<const LatencyTable>(table));
  const Cost c = lut.cost(archs[0]);
  EXPECT_EQ(c.unit, "ms");
  EXPECT_EQ(c.device, this_device(1).id());
  EXPECT_GT(c.value, 0.0);
  for (const auto& arch : archs)
    EXPECT_EQ(lut.cost(arch).value, table.predict(space.summary(arch))) << "the same sum in the same order";

  // A table without one of the architecture's layers: the error names the layer's key.
  const std::string missing = models::layer_key(space.summary(archs[0])[3]);
  LatencyTable partial(table.space(), table.device(), table.protocol());
  for (const auto& [key, entry] : table.entries())
    if (key != missing) partial.set(key, entry);
  const LutLatency<space::ProxylessSpace> partial_lut(space, std::make_shared<const LatencyTable>(partial));
  testing::expect_error_containing<ConfigError>([&] { (void)partial_lut.cost(archs[0]); }, missing);
}

TEST(LatencyTable, LayersTimedSlowLeaveTheOverheadAtZeroNotNegative) {
  const space::ProxylessSpace space;
  LatencyTable table(std::string(space.name()), this_device(1), quick());
  // Every layer "measured" at 5 ms: far more than any whole network takes.
  for (const auto& layer : distinct_layers(space)) table.set(models::layer_key(layer), {2, 5.0, 5.0, 0.0});
  Rng rng(4);
  const std::vector archs{space.sample(rng)};
  EXPECT_LT(fit_overhead(space, table, archs), 0.0) << "the median residual is returned as measured";
  EXPECT_EQ(table.overhead_ms(), 0.0);
  EXPECT_EQ(table.predict(space.summary(archs[0])), 5.0 * std::ssize(space.summary(archs[0])));
}

TEST(LatencyTable, RoundTripsThroughItsFile) {
  LatencyTable table("proxyless", this_device(1), quick());
  table.set("linear-in:192-out:10", {20, 0.01, 0.009, 0.002});
  table.set_overhead_ms(0.05);
  const fs::path path = temp_file("lut");
  table.save(path);
  const LatencyTable back = LatencyTable::load(path);
  EXPECT_EQ(back.to_json(), table.to_json());
  EXPECT_EQ(back.protocol().runs(), 2);
  EXPECT_EQ(back.device(), this_device(1));
  fs::remove(path);
}

TEST(LatencyTable, CorruptFilesAreRefusedNamingTheProblem) {
  LatencyTable table("ofa-fmnist", this_device(1), quick());
  table.set("pool-in:4x4x192-out:1x1x192", {20, 0.01, 0.01, 0.0});
  const fs::path path = temp_file("corrupt");
  const auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  write("{\"device\": ");
  testing::expect_error_containing<IoError>([&] { (void)LatencyTable::load(path); }, "not a latency table");
  nlohmann::json j = table.to_json();
  j.erase("space");
  write(j.dump());
  testing::expect_error_containing<IoError>([&] { (void)LatencyTable::load(path); }, "missing field \"space\"");
  j = table.to_json();
  j["entries"]["pool-in:4x4x192-out:1x1x192"]["median_ms"] = -1.0;
  write(j.dump());
  testing::expect_error_containing<IoError>([&] { (void)LatencyTable::load(path); },
                                            "entry 'pool-in:4x4x192-out:1x1x192': needs count >= 1");
  fs::remove(path);
  testing::expect_error_containing<IoError>([&] { (void)LatencyTable::load(path); }, path.string());
}

TEST(LatencyTable, MissingLayersAndOtherSpacesOrDevicesAreErrors) {
  const space::OfaFmnistSpace ofa;
  auto table = std::make_shared<LatencyTable>("ofa-fmnist", this_device(1), quick());
  testing::expect_error_containing<ConfigError>([&] { (void)table->predict(ofa.summary(ofa.largest())); },
                                                "no entry for layer 'resize-in:28x28x1-out:32x32x1'");
  testing::expect_error_containing<ConfigError>(
      [&] { LutLatency<space::ProxylessSpace> wrong(space::ProxylessSpace{}, table); },
      "latency table is for space 'ofa-fmnist', not 'proxyless'");
  Device elsewhere = this_device(1);
  elsewhere.cpu = "Cortex-A76";
  auto foreign = std::make_shared<LatencyTable>("ofa-fmnist", elsewhere, quick());
  testing::expect_error_containing<ConfigError>([&] { LutLatency<space::OfaFmnistSpace> lut(ofa, foreign); },
                                                "measured on another device (cortex-a76-t1");
  EXPECT_NO_THROW((LutLatency<space::OfaFmnistSpace>(ofa, foreign, /*force=*/true)));
}

}  // namespace
}  // namespace hwnas::cost
