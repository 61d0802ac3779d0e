// `hwnas profile` and `hwnas latency`: a table built on this machine
// predicts, a killed profile resumes without measuring its layers again,
// and tables of another space or device, corrupt files and missing options
// are refused with a message.

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <algorithm>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_hwnas.hpp"

namespace {

namespace fs = std::filesystem;
using hwnas::testing::expect_bad_input;
using hwnas::testing::fresh_dir;
using hwnas::testing::json_lines;
using hwnas::testing::kill_once_written;
using hwnas::testing::Outcome;
using hwnas::testing::read_json;
using hwnas::testing::run_hwnas;

TEST(CliLatency, ProfiledTablePredictsNextToMeasurements) {
  const fs::path dir = fresh_dir("cli-profile");
  const fs::path table = dir / "proxyless.json";
  const Outcome profiled = run_hwnas("profile --space proxyless --runs 2 --warmup 0 --overhead-archs 2 --quiet --json "
                                     "--out " + table.string());
  ASSERT_EQ(profiled.exit_code, 0) << profiled.err;
  const auto summary = nlohmann::json::parse(profiled.out);
  EXPECT_EQ(summary["space"], "proxyless");
  EXPECT_EQ(summary["device"]["threads"], 1);
  EXPECT_EQ(read_json(table)["entries"].size(), summary["entries"].get<std::size_t>());

  const Outcome o = run_hwnas("latency --space proxyless --sample 2 --seed 3 --runs 3 --measure --lut " +
                              table.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = json_lines(o.out);
  EXPECT_EQ(lines.size(), 2U);
  for (const auto& j : lines) {
    EXPECT_GT(j["lut_ms"].get<double>(), 0.0);
    EXPECT_GT(j["measured_ms"].get<double>(), 0.0);
    EXPECT_EQ(j["measured"]["runs"], 3);
  }

  expect_bad_input("latency --space ofa-fmnist --sample 1 --lut " + table.string(),
                   "latency table is for space 'proxyless', not 'ofa-fmnist'");
  expect_bad_input("latency --space proxyless --sample 1", "give --lut FILE (or auto), --mlp FILE (or auto) and/or --measure");
  auto foreign = read_json(table);
  foreign["device"]["cpu"] = "Cortex-A76";
  std::ofstream(dir / "foreign.json") << foreign.dump();
  expect_bad_input("latency --space proxyless --sample 1 --lut " + (dir / "foreign.json").string(),
                   "measured on another device (cortex-a76-t1");
  EXPECT_EQ(run_hwnas("latency --space proxyless --sample 1 --force --lut " + (dir / "foreign.json").string())
                .exit_code,
            0);
  std::ofstream(dir / "corrupt.json") << "{\"entries\": ";
  expect_bad_input("latency --space proxyless --sample 1 --lut " + (dir / "corrupt.json").string(),
                   "not a latency table");
  expect_bad_input("profile --space nb201 --quiet --out " + (dir / "nb201.json").string(),
                   "nb201: has no layer-wise form for latency tables");
  fs::remove_all(dir);
}

TEST(CliLatency, FitLatencyTrainsResumesAndPredicts) {
  const fs::path dir = fresh_dir("cli-fit-latency");
  const std::string args = "fit-latency --space proxyless --samples 20 --runs 1 --epochs 5 --quiet --json --out " +
                           (dir / "mlp.json").string() + " --measurements " + (dir / "measured.jsonl").string() +
                           " --held-out " + (dir / "held.jsonl").string();
  const Outcome first = run_hwnas(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["held_out"]["n"], 2);
  const auto lines = [&](const fs::path& file) {
    std::ifstream in(file);
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
  };
  EXPECT_EQ(lines(dir / "measured.jsonl"), 20);
  ASSERT_EQ(run_hwnas(args).exit_code, 0);
  EXPECT_EQ(lines(dir / "measured.jsonl"), 20) << "a second run measures nothing again";

  const Outcome predicted = run_hwnas("latency --archs " + (dir / "held.jsonl").string() + " --mlp " +
                                      (dir / "mlp.json").string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  const auto predictions = json_lines(predicted.out);
  ASSERT_EQ(predictions.size(), 2U);
  for (const auto& j : predictions) EXPECT_GT(j["mlp_ms"].get<double>(), 0.0);
  fs::remove_all(dir);
}

TEST(CliLatency, AKilledProfileResumesWithoutMeasuringAgain) {
  const fs::path dir = fresh_dir("cli-profile-kill");
  const fs::path table = dir / "ofa.json";
  // Slow enough per layer to be killed midway.
  const std::string args = "profile --space ofa-fmnist --runs 40 --warmup 0 --overhead-archs 1 --quiet --out " +
                           table.string();
  ASSERT_TRUE(kill_once_written(args, table));
  const auto before = read_json(table)["entries"];
  ASSERT_GE(before.size(), 1U);

  const Outcome resumed = run_hwnas(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto after = read_json(table)["entries"];
  EXPECT_GT(after.size(), before.size());
  for (const auto& [key, entry] : before.items()) EXPECT_EQ(after[key], entry) << key << " was measured again";
  fs::remove_all(dir);
}

}  // namespace
