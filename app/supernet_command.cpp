// `hwnas supernet train`: trains the Once-for-All supernet of ofa-fmnist by
// progressive shrinking on Fashion-MNIST, one progress bar per phase, and at
// each phase end the validation accuracy of the phase's smallest and largest
// subnets (batch norms recalibrated). Everything goes into the output
// directory: `recipe.json`, `checkpoint.state` (saved atomically; a killed
// run continues from it) and, at the end, `supernet.state`.

#include <filesystem>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <vector>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/data/datasets.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/supernet.hpp"
#include "json_input.hpp"

namespace hwnas::app {
namespace {

namespace fs = std::filesystem;

struct SupernetTrainCommand {
  std::string recipe_file;
  std::string out = "supernet-out";
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::int64_t checkpoint_every = 200;
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
    const data::Dataset data =
        data::load_dataset(dataset, data::DatasetOptions{data_dir, recipe.validation_size, recipe.seed, true});

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
    const auto calibration = train::recalibration_batches(data.train, 2000, 200, recipe.seed);
    // Phase-end checks on a 5,000-image slice of the held-out images, as the ofa-fmnist plan suggests.
    std::vector<std::int64_t> slice(
        static_cast<std::size_t>(std::min<std::int64_t>(5000, std::ssize(data.validation.labels))));
    std::iota(slice.begin(), slice.end(), 0);
    const auto validation = std::make_shared<const data::LabelledImages>(data::subset(data.validation, slice));
    const supernet::SupernetAccuracy<supernet::OfaSupernet> accuracy(net, validation, calibration);

    std::unique_ptr<ProgressBar> bar;
    ps.run(
        data.train,
        [&](const supernet::ShrinkingProgress& p) {
          if (!bar && !quiet) bar = std::make_unique<ProgressBar>(p.steps, fmt::format("phase {}", p.phase_name));
          if (bar) bar->update(p.step, fmt::format("loss {:.4f}  lr {:.4g}  r {}", p.loss, p.lr, p.resolution));
          if (p.step == p.steps) {
            bar.reset();
            report_phase(recipe.phases[p.phase], accuracy, validation->labels.empty());
          }
          return true;
        },
        checkpoint, checkpoint_every);
    nn::save_state(*net, dir / "supernet.state", {{"recipe", recipe.to_json()}});
    fmt::print("{}\n", (dir / "supernet.state").string());
    return 0;
  }

  /// Validation accuracy of the phase's smallest and largest subnets at resolutions 20 and 28.
  void report_phase(const supernet::Phase& phase, const supernet::SupernetAccuracy<supernet::OfaSupernet>& accuracy,
                    bool no_validation) const {
    if (no_validation) return;
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

}  // namespace

Command add_supernet_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("supernet", "Train the Once-for-All supernet of ofa-fmnist");
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
  train->add_option("--threads", c.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)");
  train->add_flag("--quiet", c.quiet, "no progress on stderr");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
