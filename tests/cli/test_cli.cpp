// The `hwnas` tool as users run it: output formats, exit codes (0 success,
// 2 bad input with a one-line error naming it) and resuming from a checkpoint.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_hwnas.hpp"

namespace {

namespace fs = std::filesystem;
using hwnas::testing::expect_bad_input;
using hwnas::testing::json_lines;
using hwnas::testing::kill_once_written;
using hwnas::testing::Outcome;
using hwnas::testing::run_hwnas;

// Small and quick: a fifth of the synthetic training set, one epoch.
const std::string quick_train =
    "train --data synthetic --train-subset 400 --val-size 100 --epochs 1 --batch-size 50 --threads 2 ";

TEST(Cli, BenchPrintsOneJsonDocument) {
  const Outcome o = run_hwnas("bench --model resnet --mode infer --batch 2 --iters 3 --warmup 1 --threads 1 --json");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["arch"], "resnet");
  EXPECT_EQ(j["mode"], "infer");
  EXPECT_EQ(j["batch"], 2);
  EXPECT_EQ(j["threads"], 1);
  EXPECT_GT(j["median_ms"].get<double>(), 0.0);
  EXPECT_GE(j["p90_ms"].get<double>(), j["median_ms"].get<double>());
  EXPECT_GT(j["gflops"].get<double>(), 0.0);
}

TEST(Cli, TrainReportsAccuracyAsJson) {
  const Outcome o = run_hwnas(quick_train + "--model mbconv --json --quiet");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(o.err.empty()) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["arch"], "mbconv");
  EXPECT_EQ(j["epochs"], 1);
  EXPECT_EQ(j["status"], "completed");
  EXPECT_GE(j["test_acc"].get<double>(), 0.0);
  EXPECT_LE(j["test_acc"].get<double>(), 1.0);
  EXPECT_TRUE(j["val_acc"].is_number());
  EXPECT_GT(j["time_s"].get<double>(), 0.0);
}

TEST(Cli, TrainShowsProgressOnStderrOnly) {
  const Outcome o = run_hwnas(quick_train + "--model mbconv");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("epoch 1/1 ["), std::string::npos) << o.err;
  EXPECT_NE(o.out.find("test accuracy"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("epoch 1/1 ["), std::string::npos) << o.out;
}

TEST(Cli, ResumingACompletedRunGivesItsResultWithoutTraining) {
  const fs::path checkpoint = fs::path(::testing::TempDir()) / ("cli-ck-" + std::to_string(::getpid()));
  const std::string args = quick_train + "--model mbconv --json --quiet --checkpoint " + checkpoint.string();
  const Outcome first = run_hwnas(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(fs::exists(checkpoint));
  const Outcome again = run_hwnas(args + " --resume");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["test_acc"], nlohmann::json::parse(first.out)["test_acc"]);
  const Outcome other = run_hwnas(quick_train + "--model mbconv --quiet --lr 0.3 --resume --checkpoint " +
                                  checkpoint.string());
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("lr 0.1 vs 0.3"), std::string::npos) << other.err;
  fs::remove(checkpoint);
}

TEST(Cli, AKilledRunResumesToTheUninterruptedResult) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("cli-kill-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string args = "train --data synthetic --train-subset 600 --val-size 100 --epochs 2 --batch-size 20 "
                           "--threads 1 --model mbconv --json --quiet ";
  const Outcome whole = run_hwnas(args);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  // Start the same run with checkpoints every 3 steps and kill it once the first one is on disk.
  const fs::path checkpoint = dir / "run.ckpt";
  ASSERT_TRUE(kill_once_written(args + "--checkpoint-every 3 --checkpoint " + checkpoint.string(), checkpoint));

  const Outcome resumed = run_hwnas(args + "--resume --checkpoint " + checkpoint.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto a = nlohmann::json::parse(whole.out);
  const auto b = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(b["test_acc"], a["test_acc"]);
  EXPECT_EQ(b["test_loss"], a["test_loss"]);
  EXPECT_EQ(b["val_acc"], a["val_acc"]);
  for (std::size_t e = 0; e < a["history"].size(); ++e)
    EXPECT_EQ(b["history"][e]["train_loss"], a["history"][e]["train_loss"]) << "epoch " << e;
  fs::remove_all(dir);
}

TEST(Cli, SpacesListsEverySpace) {
  const Outcome o = run_hwnas("spaces --json");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto list = nlohmann::json::parse(o.out);
  ASSERT_EQ(list.size(), 3U);
  EXPECT_EQ(list[1]["name"], "nb201");
  EXPECT_EQ(list[1]["size"], 15625.0);
  EXPECT_EQ(list[0]["choices"]["ks"], nlohmann::json({3, 5, 7}));
}

TEST(Cli, InfoGivesCountsAndLayersForEachSpace) {
  const Outcome o = run_hwnas(
      "info --json --arch '{\"space\": \"nb201\", \"arch\": "
      "\"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|\", "
      "\"classes\": 10, \"input\": [3, 32, 32]}'");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["params"], 1531546);
  EXPECT_EQ(j["layers"].front()["type"], "conv");
  EXPECT_EQ(j["layers"].back()["output"], nlohmann::json({10}));

  const Outcome sampled = run_hwnas("info --json --space proxyless --sample 3 --seed 1");
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  std::size_t lines = 0;
  for (const char c : sampled.out) lines += c == '\n';
  EXPECT_EQ(lines, 3U);

  const fs::path file = fs::path(::testing::TempDir()) / ("cli-archs-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(file) << R"({"space": "ofa-fmnist", "ks": [7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7], )"
                      << R"("e": [6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6], "d": [4,4,4,4], "r": 28})" << "\n";
  const Outcome from_file = run_hwnas("info --json --archs " + file.string());
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(nlohmann::json::parse(from_file.out)["macs"], 30958176);
  const Outcome table = run_hwnas("info --archs " + file.string());
  EXPECT_NE(table.out.find("total: 30958176 MACs, 1789930 parameters"), std::string::npos) << table.out;
  fs::remove(file);
}

TEST(Cli, TrainAndBenchTakeAnArchitecture) {
  const std::string arch = "'{\"space\": \"proxyless\", \"ops\": [\"mb_k3_e3\", \"zero\", \"zero\", \"zero\", "
                           "\"mb_k3_e3\", \"zero\", \"zero\", \"zero\", \"mb_k3_e3\", \"zero\", \"zero\", "
                           "\"zero\", \"mb_k3_e3\", \"zero\", \"zero\", \"zero\"]}'";
  const Outcome bench = run_hwnas("bench --mode infer --batch 1 --iters 2 --warmup 0 --json --arch " + arch);
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_EQ(nlohmann::json::parse(bench.out)["arch"]["space"], "proxyless");
  const Outcome train = run_hwnas(quick_train + "--json --quiet --arch " + arch);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_EQ(nlohmann::json::parse(train.out)["arch"]["ops"][1], "zero");
}

TEST(Cli, ScoreWritesOneLinePerArchitecture) {
  const Outcome o = run_hwnas("score --space ofa-fmnist --sample 2 --seed 4 --proxy zen,params --batch 2 --quiet");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = json_lines(o.out);
  EXPECT_EQ(lines.size(), 2U);
  for (const auto& j : lines) {
    EXPECT_EQ(j["arch"]["space"], "ofa-fmnist");
    EXPECT_TRUE(j["scores"]["zen"].is_number());
    EXPECT_GT(j["scores"]["params"].get<double>(), 2.9e5);
    EXPECT_TRUE(j["time_ms"].contains("zen"));
  }
  const Outcome with_data =
      run_hwnas("score --space ofa-fmnist --sample 1 --proxy snip,grad_norm --data synthetic --data-batch 8 --quiet");
  ASSERT_EQ(with_data.exit_code, 0) << with_data.err;
  EXPECT_GT(nlohmann::json::parse(with_data.out)["scores"]["snip"].get<double>(), 0.0);
  expect_bad_input("score --space nb201 --sample 1 --proxy synflw",
                   "unknown proxy 'synflw'; known: zen, gradsign, synflow, naswot, jacov, snip, grad_norm, fisher, "
                   "grasp, params, macs");
}

TEST(Cli, ScoreRunsTheEstimatorsOfSearchConfigurations) {
  const Outcome o = run_hwnas(
      "score --space ofa-fmnist --sample 2 --seed 4 --quiet --estimator '{\"name\": \"params\"}' --estimator "
      "'{\"name\": \"scratch\", \"data\": \"synthetic\", \"train_subset\": 128, \"cache\": null}'");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = json_lines(o.out);
  ASSERT_EQ(lines.size(), 2U);
  for (const auto& j : lines) {
    EXPECT_EQ(j["scores"].size(), 2U) << "no default proxies next to estimators";
    EXPECT_GT(j["scores"]["params"].get<double>(), 2.9e5);
    EXPECT_GE(j["scores"]["scratch"].get<double>(), 0.0);
    EXPECT_LE(j["scores"]["scratch"].get<double>(), 1.0);
    EXPECT_GT(j["time_ms"]["scratch"].get<double>(), 0.0);
  }
  expect_bad_input("score --space ofa-fmnist --sample 1 --estimator '{\"name\": \"scratch\", \"epochs\": -1}'",
                   "epochs");
  expect_bad_input(
      "score --space ofa-fmnist --sample 1 --estimator '{\"name\": \"scratch\", \"steps\": 2, \"epochs\": 1}'",
      "either \"steps\" or");
  const Outcome stepped = run_hwnas(
      "score --space ofa-fmnist --sample 1 --quiet --estimator '{\"name\": \"scratch\", \"data\": \"synthetic\", "
      "\"steps\": 2, \"batch_size\": 16, \"cache\": null}'");
  ASSERT_EQ(stepped.exit_code, 0) << stepped.err;
  EXPECT_LE(nlohmann::json::parse(stepped.out)["scores"]["scratch"].get<double>(), 1.0);
  expect_bad_input("score --space ofa-fmnist --sample 1 --estimator '{\"name\": ' ", "--estimator");
}

TEST(Cli, ScoreRunsEveryProxyAndWritesNonNumbersAsNull) {
  const Outcome all = run_hwnas(
      "score --space ofa-fmnist --sample 1 --seed 2 --data synthetic --data-batch 8 --batch 2 --quiet --proxy "
      "zen,gradsign,synflow,naswot,jacov,snip,grad_norm,fisher,grasp,params,macs");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto scores = nlohmann::json::parse(all.out)["scores"];
  EXPECT_EQ(scores.size(), 11U);
  for (const auto& [name, value] : scores.items()) EXPECT_TRUE(value.is_number()) << name;

  // No signal passes a cell of `none` edges: synflow is log(0), written as null.
  const Outcome dead = run_hwnas(
      "score --proxy synflow,params --quiet --arch '{\"space\": \"nb201\", \"classes\": 10, "
      "\"input\": [3, 32, 32], \"arch\": \"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\"}'");
  ASSERT_EQ(dead.exit_code, 0) << dead.err;
  const auto j = nlohmann::json::parse(dead.out);
  EXPECT_TRUE(j["scores"]["synflow"].is_null()) << dead.out;
  EXPECT_TRUE(j["scores"]["params"].is_number());
  expect_bad_input("score --space ofa-fmnist --sample 1 --proxy fisher --data synthetic --data-batch 0",
                   "--data-batch");
}

TEST(Cli, CorrelateRanksScoresAgainstTheTruth) {
  const fs::path file = fs::path(::testing::TempDir()) / ("cli-corr-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(file);
    for (int i = 0; i < 12; ++i)
      out << nlohmann::json{{"test_acc", i}, {"scores", {{"good", 2 * i}, {"bad", -i}}}, {"params", i % 3}}.dump()
          << "\n";
  }
  const Outcome o = run_hwnas("correlate --json --bootstrap 50 " + file.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  ASSERT_EQ(j["results"].size(), 3U);
  EXPECT_EQ(j["results"][0]["score"], "bad");
  EXPECT_DOUBLE_EQ(j["results"][0]["kendall_tau"].get<double>(), -1.0);
  EXPECT_DOUBLE_EQ(j["results"][1]["spearman_rho"].get<double>(), 1.0);
  EXPECT_EQ(j["results"][2]["n"], 12);
  {
    std::ofstream out(file, std::ios::app);
    out << R"({"test_acc": 20, "scores": {"good": null, "bad": -20}, "params": 1})" << "\n";
  }
  const auto with_null = nlohmann::json::parse(run_hwnas("correlate --json --bootstrap 50 " + file.string()).out);
  EXPECT_EQ(with_null["results"][0]["n"], 13) << "bad";
  EXPECT_EQ(with_null["results"][1]["n"], 12) << "good skips the null score";
  expect_bad_input("correlate --truth val_acc " + file.string(), "no numeric ground-truth field \"val_acc\"");
  fs::remove(file);
}

TEST(Cli, BadInputIsExitCodeTwoWithAMessage) {
  expect_bad_input("bench --model vgg", "unknown built-in network 'vgg'");
  expect_bad_input("bench --mode fly", "--mode");
  expect_bad_input("train --data imagenet --quiet", "unknown dataset 'imagenet'");
  expect_bad_input("train --data synthetic --optimizer lamb --quiet", "unknown optimizer 'lamb'");
  expect_bad_input("train --data synthetic --resume --quiet", "--resume needs --checkpoint");
  expect_bad_input("train --data synthetic --label-smoothing 2 --quiet", "'label_smoothing' must be in [0, 1)");
  expect_bad_input("train --data cifar10 --quiet", "CIFAR-10 needs the directory");
  expect_bad_input("train --config /nonexistent.json", "--config");
  expect_bad_input("frobnicate", "subcommand");
  expect_bad_input("info --space darts --sample 1", "unknown search space 'darts'");
  expect_bad_input("info --arch '{\"space\": \"ofa-fmnist\"}'", "lacks the field \"ks\"");
  expect_bad_input("info --arch '{oops'", "--arch: not valid JSON");
  expect_bad_input("info", "give architectures one way");
  expect_bad_input("bench --model mbconv --arch '{}'", "excludes");
  expect_bad_input("train --data synthetic --quiet --arch '{\"space\": \"nb201\", \"arch\": "
                   "\"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\", \"classes\": 10, \"input\": [3, 32, 32]}'",
                   "takes [3, 32, 32] images, but synthetic has [1, 28, 28] images");
  const fs::path config = fs::path(::testing::TempDir()) / ("cli-config-" + std::to_string(::getpid()) + ".json");
  std::ofstream(config) << "{\"epochs\": 2,";
  expect_bad_input("train --data synthetic --quiet --config " + config.string(), "not valid JSON");
  std::ofstream(config) << R"({"epochs": 2, "learning_rate": 0.1})";
  expect_bad_input("train --data synthetic --quiet --config " + config.string(),
                   "unknown training option 'learning_rate'");
  fs::remove(config);
}

TEST(Cli, HelpAndVersionSucceed) {
  EXPECT_EQ(run_hwnas("--help").exit_code, 0);
  const Outcome v = run_hwnas("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_FALSE(v.out.empty());
}

}  // namespace
