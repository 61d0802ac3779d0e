// `hwnas hypernet train`: trains a SMASH hypernetwork over ofa-fmnist on
// Fashion-MNIST, with a progress bar. Everything goes into the output
// directory: `run.json`, `checkpoint.state` (saved atomically after every
// epoch and every --checkpoint-every steps; a rerun continues from it) and,
// at the end, `hypernet.state`. The held-out accuracy of the smallest and
// the largest architecture with generated weights closes the run.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/train/metrics.hpp"
#include "json_input.hpp"
#include "trained_hypernet.hpp"

namespace hwnas::app {
namespace {

namespace fs = std::filesystem;

struct HypernetTrainCommand {
  std::string out = "hypernet-out";
  std::optional<std::int64_t> epochs, batch_size, train_subset, hidden, validation_size;
  std::optional<double> lr;
  std::optional<std::uint64_t> seed;
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::int64_t checkpoint_every = 200;
  std::int64_t calibration = 2000;
  int threads = 0;
  bool json = false;
  bool quiet = false;

  [[nodiscard]] bool any_setting() const {
    return epochs || batch_size || train_subset || hidden || validation_size || lr || seed;
  }

  /// The run in `dir` when one is being continued, else the one the flags describe.
  [[nodiscard]] HypernetRun run_settings(const fs::path& dir) const {
    const fs::path saved = dir / "run.json";
    if (fs::exists(saved)) {
      HWNAS_CHECK_CONFIG(!any_setting(),
                         "{} holds a run already: continue it without training settings, or choose another --out",
                         dir.string());
      return HypernetRun::from_json(parse_json(read_file(saved), saved.string()));
    }
    HypernetRun run;
    auto& t = run.train;
    t.epochs(epochs.value_or(t.epochs()))
        .batch_size(batch_size.value_or(t.batch_size()))
        .train_subset(train_subset.value_or(t.train_subset()))
        .lr(lr.value_or(t.lr()))
        .seed(seed.value_or(t.seed()));
    t.validate();
    run.net.hidden(hidden.value_or(run.net.hidden()));
    run.validation_size = validation_size.value_or(run.validation_size);
    return HypernetRun::from_json(run.to_json());  // the same checks as a saved run gets
  }

  int run() const {
    const ThreadCountGuard thread_count(threads);
    const fs::path dir(out);
    fs::create_directories(dir);
    const HypernetRun settings = run_settings(dir);
    write_file_atomically(dir / "run.json", settings.to_json().dump(2) + "\n");
    const data::Dataset data = settings.data(dataset, data_dir);

    auto net = std::make_shared<hypernet::SmashHypernet>(settings.net);
    Rng rng(settings.train.seed());
    nn::init::default_init(*net, rng);
    hypernet::SmashTrainer trainer(net, settings.train);
    const fs::path checkpoint = dir / "checkpoint.state";
    if (fs::exists(checkpoint)) {
      trainer.load_checkpoint(checkpoint);
      if (!quiet) fmt::print(stderr, "continuing from {} (step {})\n", checkpoint.string(), trainer.step());
    }
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<ProgressBar> bar;
    if (!quiet) bar = std::make_unique<ProgressBar>(trainer.total_steps(std::ssize(data.train.labels)), "smash");
    const train::TrainStatus status = trainer.run(
        data.train,
        [&](const hypernet::SmashProgress& p) {
          if (bar) bar->update(p.step, fmt::format("loss {:.4f}  lr {:.4g}  r {}", p.loss, p.lr, p.arch.r));
          return true;
        },
        checkpoint, checkpoint_every);
    if (bar) bar->finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    net->save(dir / "hypernet.state");
    report(dir, settings, data, net, status, trainer.step(), seconds);
    return 0;
  }

  /// Held-out accuracy (5,000 images) of the smallest and largest architectures with generated weights.
  void report(const fs::path& dir, const HypernetRun& settings, const data::Dataset& data,
              const std::shared_ptr<hypernet::SmashHypernet>& net, train::TrainStatus status, std::int64_t steps,
              double seconds) const {
    nlohmann::json accuracy = nlohmann::json::object();
    if (!data.validation.labels.empty()) {
      const hypernet::SmashAccuracy estimator = smash_estimator(net, data, settings.train.seed(), 5000, calibration);
      const space::OfaFmnistSpace space;
      accuracy = {{"smallest", estimator.estimate(space.smallest()).value},
                  {"largest", estimator.estimate(space.largest()).value}};
    }
    const nlohmann::json result{{"dir", dir.string()}, {"status", train::to_string(status)}, {"steps", steps},
                                {"time_s", seconds},    {"val_acc", accuracy}};
    if (json) {
      fmt::print("{}\n", result.dump());
      return;
    }
    fmt::print("{} after {} steps in {:.0f} s ({})", (dir / "hypernet.state").string(), steps, seconds,
               train::to_string(status));
    if (!accuracy.empty())
      fmt::print(": held-out accuracy smallest {:.4f}, largest {:.4f}", accuracy["smallest"].get<double>(),
                 accuracy["largest"].get<double>());
    fmt::print("\n");
  }
};

}  // namespace

Command add_hypernet_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("hypernet", "Train a SMASH hypernetwork of ofa-fmnist");
  cli->require_subcommand(1);
  CLI::App* train = cli->add_subcommand("train", "Train a SMASH hypernetwork (resumes from --out)");
  auto command = std::make_shared<HypernetTrainCommand>();
  auto& c = *command;
  train->add_option("--out", c.out, "output directory (a rerun continues the run there)")->capture_default_str();
  train->add_option("--epochs", c.epochs, "passes over the training images (default 1)")
      ->check(CLI::PositiveNumber);
  train->add_option("--batch-size", c.batch_size, "images per step (default 128)")->check(CLI::PositiveNumber);
  train->add_option("--lr", c.lr, "peak learning rate of the cosine schedule (default 0.05)")
      ->check(CLI::PositiveNumber);
  train->add_option("--train-subset", c.train_subset, "train on a seeded subset of N images (default: all)")
      ->check(CLI::NonNegativeNumber);
  train->add_option("--hidden", c.hidden, "width of the generator's hidden layers (default 64)")
      ->check(CLI::PositiveNumber);
  train->add_option("--val-size", c.validation_size, "training images held out for validation (default 10000)")
      ->check(CLI::NonNegativeNumber);
  train->add_option("--seed", c.seed, "seeds initialisation, batches, architectures and the split (default 0)");
  train->add_option("--data", c.dataset, "dataset: fashion-mnist, mnist, synthetic")->capture_default_str();
  train->add_option("--data-dir", c.data_dir, "directory of the dataset files");
  train->add_option("--checkpoint-every", c.checkpoint_every, "also save the checkpoint every N steps (0: epochs only)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_calibration_option(*train, c.calibration);
  train->add_option("--threads", c.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)");
  train->add_flag("--json", c.json, "print the result as one JSON document");
  train->add_flag("--quiet", c.quiet, "no progress on stderr");
  return {train, [command] { return command->run(); }};
}

}  // namespace hwnas::app
