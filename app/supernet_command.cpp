// `hwnas supernet`: the Once-for-All supernet of ofa-fmnist.
//
// - `train`: progressive shrinking on Fashion-MNIST, one progress bar per
//   phase, and at each phase end the validation accuracy of the phase's
//   smallest and largest subnets (batch norms recalibrated). Everything goes
//   into the output directory: `recipe.json`, `checkpoint.state` (saved
//   atomically; a rerun continues from it) and, at the end, `supernet.state`.
// - `eval`: the validation accuracy of given subnets with inherited weights.
// - `predict`: the accuracy predictor's estimate of given subnets.
// - `fit-predictor`: scores sampled subnets (appended to a JSON Lines file
//   as it goes, so a killed run resumes) and fits the accuracy predictor.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/supernet.hpp"
#include "arch_option.hpp"
#include "json_input.hpp"
#include "trained_supernet.hpp"

namespace hwnas::app {
namespace {

namespace fs = std::filesystem;

/// The ofa-fmnist architecture of a command-line argument; ConfigError for another space's.
space::OfaFmnistArch ofa_arch(const SpacedArch& given) {
  return given.second.get<space::OfaFmnistArch>("hwnas supernet (ofa-fmnist only)");
}

struct SupernetTrainCommand {
  std::string recipe_file;
  std::string out = "supernet-out";
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::int64_t checkpoint_every = 200;
  std::int64_t calibration = 2000;
  int threads = 0;
  bool quiet = false;

  [[nodiscard]] supernet::Recipe recipe(const fs::path& dir) const {
    // A run being continued keeps its own recipe.
    const fs::path saved = dir / "recipe.json";
    const std::string from = recipe_file.empty() ? (fs::exists(saved) ? saved.string() : "") : recipe_file;
    if (from.empty()) return supernet::default_recipe();
    return supernet::Recipe::from_json(parse_json(read_file(from), from));
  }

  int run() const {
    const ThreadCountGuard thread_count(threads);
    const fs::path dir(out);
    fs::create_directories(dir);
    const supernet::Recipe recipe = this->recipe(dir);
    write_file_atomically(dir / "recipe.json", recipe.to_json().dump(2) + "\n");
    const data::Dataset data = recipe_data(recipe, dataset, data_dir);

    auto net = std::make_shared<supernet::OfaSupernet>();
    Rng rng(recipe.seed);
    nn::init::default_init(*net, rng);
    supernet::ProgressiveShrinking ps(net, recipe);
    const fs::path checkpoint = dir / "checkpoint.state";
    if (fs::exists(checkpoint)) {
      ps.load_checkpoint(checkpoint);
      if (!quiet)
        fmt::print(stderr, "continuing from {} (phase {}, step {})\n", checkpoint.string(), ps.phase(), ps.step());
    }
    // Phase-end checks on a 5,000-image slice of the held-out images, as the ofa-fmnist plan suggests.
    std::optional<SupernetEstimator> accuracy;
    if (!data.validation.labels.empty()) accuracy.emplace(supernet_estimator(net, data, recipe.seed, 5000, calibration));
    std::unique_ptr<ProgressBar> bar;
    ps.run(
        data.train,
        [&](const supernet::ShrinkingProgress& p) {
          if (!bar && !quiet) bar = std::make_unique<ProgressBar>(p.steps, fmt::format("phase {}", p.phase_name));
          if (bar) bar->update(p.step, fmt::format("loss {:.4f}  lr {:.4g}  r {}", p.loss, p.lr, p.resolution));
          if (p.step == p.steps) {
            bar.reset();
            if (accuracy) report_phase(recipe.phases[p.phase], *accuracy);
          }
          return true;
        },
        checkpoint, checkpoint_every);
    nn::save_state(*net, dir / "supernet.state", {{"recipe", recipe.to_json()}});
    fmt::print("{}\n", (dir / "supernet.state").string());
    return 0;
  }

  /// Validation accuracy of the phase's smallest and largest subnets at resolutions 20 and 28.
  static void report_phase(const supernet::Phase& phase, const SupernetEstimator& accuracy) {
    std::string line = fmt::format("phase {}:", phase.name);
    for (const std::int64_t r : {20, 28}) {
      line += fmt::format("  r{} smallest {:.4f} largest {:.4f}", r,
                          accuracy.estimate(supernet::smallest_subnet(phase, r)).value,
                          accuracy.estimate(supernet::largest_subnet(phase, r)).value);
    }
    fmt::print("{}\n", line);
    std::fflush(stdout);
  }
};

struct SupernetEvalCommand {
  explicit SupernetEvalCommand(CLI::App& cli) : archs(cli) {}

  ArchOption archs;
  std::string dir = "auto";
  std::int64_t calibration = 2000;
  std::string dataset = "fashion-mnist";
  std::string data_dir;

  int run() const {
    const auto given = archs.load();
    const TrainedSupernet trained(resolve_supernet(dir, "ofa-fmnist"), dataset, data_dir);
    const SupernetEstimator accuracy = trained.estimator(calibration);
    for (const auto& arch : given) {
      const auto e = accuracy.estimate(ofa_arch(arch));
      fmt::print("{}\n", nlohmann::json{{"arch", arch.first.to_json(arch.second)},
                                        {"val_acc", e.value},
                                        {"seconds", e.cost.seconds}}
                             .dump());
      std::fflush(stdout);
    }
    return 0;
  }
};

struct PredictCommand {
  explicit PredictCommand(CLI::App& cli) : archs(cli) {}

  ArchOption archs;
  std::string predictor = "auto";

  int run() const {
    const auto given = archs.load();
    const space::OfaFmnistSpace space;
    const auto model = supernet::AccuracyPredictor::load(resolve_accuracy_predictor(predictor, "ofa-fmnist"));
    for (const auto& arch : given) {
      fmt::print("{}\n", nlohmann::json{{"arch", arch.first.to_json(arch.second)},
                                        {"predicted_acc", model.predict(space.encode(ofa_arch(arch)))}}
                             .dump());
    }
    return 0;
  }
};

struct FitPredictorCommand {
  std::string dir = "supernet-out";
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::int64_t samples = 300;
  std::int64_t calibration = 2000;
  std::uint64_t seed = 0;
  std::string out;
  std::string measurements;
  bool quiet = false;
  bool json = false;

  int run() const {
    const space::OfaFmnistSpace space;
    const TrainedSupernet trained(dir, dataset, data_dir);
    const SupernetEstimator accuracy = trained.estimator(calibration);
    const fs::path scored = measurements.empty() ? fs::path(dir) / "subnet-accuracy.jsonl" : fs::path(measurements);
    const fs::path predictor = out.empty() ? fs::path(dir) / "accuracy-predictor.json" : fs::path(out);

    // The seeded sample; those already scored (a killed run's) are read back, not scored again.
    Rng rng(seed);
    std::vector<std::pair<space::OfaFmnistArch, double>> pairs;
    std::vector<space::OfaFmnistArch> archs;
    for (std::int64_t i = 0; i < samples; ++i) archs.push_back(space.sample(rng));
    if (fs::exists(scored)) {
      for_each_json_line(scored.string(), [&](const nlohmann::json& line, const std::string&) {
        const auto arch = space.from_json(line.at("arch"));
        HWNAS_CHECK_CONFIG(pairs.size() < archs.size() && arch == archs[pairs.size()],
                           "holds other subnets than --samples {} --seed {} draws", samples, seed);
        pairs.emplace_back(arch, line.at("val_acc").get<double>());
      });
    }
    {
      std::ofstream log(scored, std::ios::app);
      ProgressBar bar(samples, "scoring subnets");
      for (std::size_t i = pairs.size(); i < archs.size(); ++i) {
        const double value = accuracy.estimate(archs[i]).value;
        pairs.emplace_back(archs[i], value);
        log << nlohmann::json{{"arch", space.to_json(archs[i])}, {"val_acc", value}}.dump() << '\n' << std::flush;
        HWNAS_CHECK_AS(IoError, log.good(), "cannot append to {}", scored.string());
        if (!quiet) bar.update(static_cast<std::int64_t>(pairs.size()));
      }
    }
    const auto fitted = supernet::fit_accuracy_predictor(space, pairs, (fs::path(dir) / "supernet.state").string(),
                                                         seed, supernet::accuracy_predictor_options(seed));
    fitted.save(predictor);
    const auto& h = fitted.held_out();
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"predictor", predictor.string()},
                                        {"samples", pairs.size()},
                                        {"held_out", h},
                                        {"held_out_kendall_tau", fitted.held_out_tau()}}
                             .dump());
    } else {
      fmt::print("{}: held-out RMSE {:.3f} accuracy points, Kendall tau {:.3f} ({} of {} subnets)\n",
                 predictor.string(), 100.0 * h.rmse, fitted.held_out_tau(), h.n, pairs.size());
    }
    return 0;
  }
};

}  // namespace

void add_calibration_option(CLI::App& command, std::int64_t& images) {
  command.add_option("--recalibration-images", images, "training images batch norms are recalibrated on per subnet")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 30))
      ->capture_default_str();
}

Command add_supernet_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("supernet", "Train and use the Once-for-All supernet of ofa-fmnist");
  cli->require_subcommand(1);
  CLI::App* train = cli->add_subcommand("train", "Progressive shrinking on Fashion-MNIST (resumes from --out)");
  auto command = std::make_shared<SupernetTrainCommand>();
  auto& c = *command;
  train->add_option("--recipe", c.recipe_file, "recipe JSON (docs/once-for-all.md); default: the built-in one")
      ->check(CLI::ExistingFile);
  train->add_option("--out", c.out, "output directory; a checkpoint there is continued")->capture_default_str();
  train->add_option("--data", c.dataset, "dataset: fashion-mnist, mnist, synthetic")->capture_default_str();
  train->add_option("--data-dir", c.data_dir, "directory of the dataset files (mnist)");
  train->add_option("--checkpoint-every", c.checkpoint_every, "also save the checkpoint every N steps")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_calibration_option(*train, c.calibration);
  train->add_option("--threads", c.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)");
  train->add_flag("--quiet", c.quiet, "no progress on stderr");

  CLI::App* eval = cli->add_subcommand("eval", "Validation accuracy of subnets with inherited weights");
  auto eval_command = std::make_shared<SupernetEvalCommand>(*eval);
  eval->add_option("--supernet", eval_command->dir, "directory of a trained supernet; auto: the shipped one")
      ->capture_default_str();
  eval->add_option("--data", eval_command->dataset, "dataset it was trained on")->capture_default_str();
  eval->add_option("--data-dir", eval_command->data_dir, "directory of the dataset files (mnist)");
  add_calibration_option(*eval, eval_command->calibration);

  CLI::App* predict = cli->add_subcommand("predict", "Accuracy of subnets as the accuracy predictor estimates it");
  auto predict_command = std::make_shared<PredictCommand>(*predict);
  predict->add_option("--predictor", predict_command->predictor, "predictor file; auto: the shipped one")
      ->capture_default_str();

  CLI::App* fit = cli->add_subcommand("fit-predictor", "Score sampled subnets and fit the accuracy predictor");
  auto fit_command = std::make_shared<FitPredictorCommand>();
  auto& f = *fit_command;
  fit->add_option("--supernet", f.dir, "directory of a trained supernet")->capture_default_str();
  fit->add_option("--samples", f.samples, "subnets to score")->check(CLI::PositiveNumber)->capture_default_str();
  fit->add_option("--seed", f.seed, "seeds the sample and the split")->capture_default_str();
  fit->add_option("--out", f.out, "predictor file (default: <supernet>/accuracy-predictor.json)");
  fit->add_option("--measurements", f.measurements,
                  "scored subnets, appended (default: <supernet>/subnet-accuracy.jsonl)");
  fit->add_option("--data", f.dataset, "dataset it was trained on")->capture_default_str();
  fit->add_option("--data-dir", f.data_dir, "directory of the dataset files (mnist)");
  add_calibration_option(*fit, f.calibration);
  fit->add_flag("--quiet", f.quiet, "no progress on stderr");
  fit->add_flag("--json", f.json, "print the summary as one JSON document");

  return {cli, [command, eval_command, predict_command, fit_command, train, eval, predict] {
            if (train->parsed()) return command->run();
            if (eval->parsed()) return eval_command->run();
            if (predict->parsed()) return predict_command->run();
            return fit_command->run();
          }};
}

}  // namespace hwnas::app
