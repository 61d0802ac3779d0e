// `hwnas supernet` as users run it, on synthetic 28 x 28 images with a tiny
// recipe: training killed mid-run continues to the same weights, subnets
// are scored, the accuracy predictor is fitted and resumes its scoring.

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_hwnas.hpp"
#include "hwnas/core/io.hpp"

namespace hwnas::testing {
namespace {

namespace fs = std::filesystem;

fs::path tiny_recipe(const fs::path& dir) {
  const nlohmann::json recipe = {
      {"batch_size", 32},
      {"validation_size", 64},
      {"phases",
       {{{"name", "full"}, {"epochs", 0.05}, {"lr", 0.1}, {"distill", false}},
        {{"name", "kernel"}, {"kernel_sizes", {3, 5, 7}}, {"epochs", 0.03}, {"lr", 0.05}},
        {{"name", "expand"}, {"kernel_sizes", {3, 5, 7}}, {"expand_ratios", {4, 6}}, {"depths", {2, 3, 4}},
         {"epochs", 0.03}, {"lr", 0.02}, {"subnets_per_step", 2}}}}};
  const fs::path path = dir / "recipe.json";
  write_file_atomically(path, recipe.dump());
  return path;
}

TEST(SupernetCommand, TrainsResumesScoresAndFitsThePredictor) {
  const fs::path work = fresh_dir("supernet-work");
  // Batch norms recalibrated on 64 images instead of 2,000 keep the test quick.
  const std::string tiny = " --data synthetic --recalibration-images 64 ";
  const std::string train =
      "supernet train --quiet --checkpoint-every 1" + tiny + "--recipe " + tiny_recipe(work).string() + " --out ";
  const fs::path whole = work / "whole";
  const Outcome trained = run_hwnas(train + whole.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.out.find("phase expand:  r20 smallest"), std::string::npos) << trained.out;

  const fs::path cut = work / "cut";
  fs::create_directories(cut);
  ASSERT_TRUE(kill_once_written(train + cut.string(), cut / "checkpoint.state"));
  EXPECT_FALSE(fs::exists(cut / "supernet.state"));
  ASSERT_EQ(run_hwnas(train + cut.string()).exit_code, 0);
  EXPECT_EQ(read_file(cut / "supernet.state"), read_file(whole / "supernet.state"))
      << "a continued run ends with the same weights";

  const Outcome scored =
      run_hwnas("supernet eval" + tiny + "--space ofa-fmnist --sample 2 --supernet " + whole.string());
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto lines = json_lines(scored.out);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_GE(lines[0]["val_acc"].get<double>(), 0.0);
  EXPECT_LE(lines[0]["val_acc"].get<double>(), 1.0);

  const std::string fit = "supernet fit-predictor --quiet --json" + tiny + "--supernet " + whole.string();
  const Outcome fitted = run_hwnas(fit + " --samples 10");
  ASSERT_EQ(fitted.exit_code, 0) << fitted.err;
  EXPECT_EQ(nlohmann::json::parse(fitted.out)["samples"], 10);
  EXPECT_EQ(json_lines(read_file(whole / "subnet-accuracy.jsonl")).size(), 10U);
  const Outcome more = run_hwnas(fit + " --samples 12");
  ASSERT_EQ(more.exit_code, 0) << more.err;
  EXPECT_EQ(json_lines(read_file(whole / "subnet-accuracy.jsonl")).size(), 12U) << "the first ten were kept";
  EXPECT_TRUE(fs::exists(whole / "accuracy-predictor.json"));

  // The predictor ranks candidates of a search.
  const std::string predictor = (whole / "accuracy-predictor.json").string();
  // Its best is then tested with the supernet's weights (on the Fashion-MNIST test images).
  const nlohmann::json config = {{"estimator", {{"name", "ofa-predictor"}, {"file", predictor}}},
                                 {"cost", {{"name", "macs"}}},
                                 {"budget", {{"evaluations", 200}}},
                                 {"final", {{"supernet", whole.string()}}}};
  write_file_atomically(work / "search.json", config.dump());
  const Outcome searched = run_hwnas("search --quiet --json --config " + (work / "search.json").string() + " --out " +
                                     (work / "search").string());
  ASSERT_EQ(searched.exit_code, 0) << searched.err;
  EXPECT_EQ(nlohmann::json::parse(searched.out)["best"]["estimator"], "predictor");
  const auto tested = nlohmann::json::parse(searched.out)["best"]["final"];
  EXPECT_EQ(tested["supernet"], whole.string());
  EXPECT_EQ(tested["data"], "fashion-mnist");
  EXPECT_EQ(tested["test_images"], 10000);
  EXPECT_GE(tested["test_acc"].get<double>(), 0.0);
  EXPECT_LE(tested["test_acc"].get<double>(), 1.0);

  // `predict` estimates what `eval` scored (result lines as input), and the search's best as the search did.
  const auto searched_best = nlohmann::json::parse(searched.out)["best"];
  write_file_atomically(work / "scored.jsonl",
                        scored.out + nlohmann::json{{"arch", searched_best["arch"]}}.dump() + "\n");
  const Outcome predicted =
      run_hwnas("supernet predict --predictor " + predictor + " --archs " + (work / "scored.jsonl").string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  const auto predictions = json_lines(predicted.out);
  ASSERT_EQ(predictions.size(), 3U);
  EXPECT_EQ(predictions[1]["arch"], lines[1]["arch"]);
  EXPECT_DOUBLE_EQ(predictions[2]["predicted_acc"].get<double>(), searched_best["accuracy"].get<double>());

  // The supernet itself as the search's estimator scores the best as `eval` does.
  const nlohmann::json direct = {{"estimator",
                                  {{"name", "supernet"},
                                   {"dir", whole.string()},
                                   {"data", "synthetic"},
                                   {"recalibration_images", 64}}},
                                 {"cost", {{"name", "macs"}}},
                                 {"budget", {{"evaluations", 4}}},
                                 {"final", nullptr}};
  write_file_atomically(work / "direct.json", direct.dump());
  const Outcome direct_search = run_hwnas("search --quiet --json --config " + (work / "direct.json").string() +
                                          " --out " + (work / "direct").string());
  ASSERT_EQ(direct_search.exit_code, 0) << direct_search.err;
  const auto best = nlohmann::json::parse(direct_search.out)["best"];
  EXPECT_EQ(best["estimator"], "supernet");
  const Outcome best_scored =
      run_hwnas("supernet eval" + tiny + "--supernet " + whole.string() + " --arch '" + best["arch"].dump() + "'");
  ASSERT_EQ(best_scored.exit_code, 0) << best_scored.err;
  EXPECT_EQ(json_lines(best_scored.out).at(0)["val_acc"], best["accuracy"]);

  expect_bad_input(fit + " --samples 12 --seed 3", "holds other subnets");
  expect_bad_input("supernet eval --space ofa-fmnist --sample 1 --supernet " + (work / "none").string(),
                   "no trained supernet there");
  expect_bad_input("supernet eval --data synthetic --space nb201 --sample 1 --supernet " + whole.string(),
                   "ofa-fmnist only");
  write_file_atomically(work / "nb201.json",
                        nlohmann::json{{"space", "nb201"}, {"estimator", direct["estimator"]}, {"cost", direct["cost"]}}
                            .dump());
  expect_bad_input("search --config " + (work / "nb201.json").string() + " --out " + (work / "nb201").string(),
                   "supernet: only for ofa-fmnist");
}

}  // namespace
}  // namespace hwnas::testing
