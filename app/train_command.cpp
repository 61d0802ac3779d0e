// `hwnas train`: trains a network from scratch and reports its test and
// validation accuracy.

#include <filesystem>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "json_input.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/data/datasets.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/train.hpp"
#include "network_option.hpp"
#include "train_recipe.hpp"

namespace hwnas::app {
namespace {

/// Flags that override the options, set only when given.
struct TrainFlags {
  std::optional<std::int64_t> epochs, batch_size, warmup_epochs, train_subset;
  std::optional<double> lr, momentum, weight_decay, label_smoothing;
  std::optional<std::string> optimizer, schedule;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;

  void apply(train::TrainOptions& o) const {
    if (epochs) o.epochs(*epochs);
    if (batch_size) o.batch_size(*batch_size);
    if (warmup_epochs) o.warmup_epochs(*warmup_epochs);
    if (train_subset) o.train_subset(*train_subset);
    if (lr) o.lr(*lr);
    if (momentum) o.momentum(*momentum);
    if (weight_decay) o.weight_decay(*weight_decay);
    if (label_smoothing) o.label_smoothing(*label_smoothing);
    if (optimizer) o.optimizer(train::optimizer_kind(*optimizer));
    if (schedule) o.schedule(train::schedule_kind(*schedule));
    if (seed) o.seed(*seed);
    if (threads) o.threads(*threads);
  }
};

struct TrainCommand {
  explicit TrainCommand(CLI::App& cli) : network(cli) {}

  NetworkOption network;
  TrainFlags flags;
  std::string config;
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::optional<std::int64_t> validation_size;
  std::string checkpoint;
  std::int64_t checkpoint_every = 0;
  bool resume = false;
  std::string metrics;
  std::int64_t early_stop = 0;
  std::string save;
  bool json = false;
  bool quiet = false;

  /// The training recipe: defaults suited to the built-in networks on
  /// 28 x 28 images, then `--config`, then single flags.
  [[nodiscard]] train::TrainOptions options() const {
    auto o = built_in_training();
    if (!config.empty()) {
      const nlohmann::json json = parse_json(read_file(config), "--config " + config);
      try {
        o = json.get<train::TrainOptions>();
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("--config {}: {}", config, e.what()));
      }
    }
    flags.apply(o);
    o.validate();
    return o;
  }

  int run() const {
    const train::TrainOptions o = options();
    const data::Dataset data =
        load_dataset(dataset, data::DatasetOptions{data_dir, validation_size, o.seed(), /*standardize=*/true});
    const Shape image{data.train.images.size(1), data.train.images.size(2), data.train.images.size(3)};
    HWNAS_CHECK_CONFIG(image == network.input_shape(), "{} takes {} images, but {} has {} images", network.name(),
                       network.input_shape(), data.name, image);
    auto net = network.build(o.seed());
    train::Trainer trainer(net, o);
    if (resume) {
      HWNAS_CHECK_CONFIG(!checkpoint.empty(), "--resume needs --checkpoint FILE");
      if (std::filesystem::exists(checkpoint)) trainer.load_checkpoint(checkpoint);
    }
    if (!quiet)
      fmt::print(stderr, "training {} ({} parameters) on {}: {} train / {} validation / {} test images\n",
                 network.name(), net->num_parameters(), data.name, data.train.labels.size(),
                 data.validation.labels.size(), data.test.labels.size());

    const data::LabelledImages* validation = data.validation.labels.empty() ? nullptr : &data.validation;
    const train::TrainResult result = fit(trainer, data.train, validation);
    const train::Evaluation test = trainer.evaluate(data.test);
    if (!save.empty()) {
      nn::save_state(*net, save, {{"arch", network.describe()}, {"options", o}, {"test_accuracy", test.accuracy}});
    }
    report(o, result, test);
    return 0;
  }

  /// Runs `fit` with the callbacks the flags ask for.
  train::TrainResult fit(train::Trainer& trainer, const data::LabelledImages& train_set,
                         const data::LabelledImages* validation) const {
    using namespace train;
    return trainer.fit(train_set, validation, callback_if<ShowProgress>(!quiet),
                       callback_if<MetricLog>(!metrics.empty(), metrics),
                       callback_if<EarlyStopping>(early_stop > 0, early_stop),
                       callback_if<Checkpointing>(!checkpoint.empty(), checkpoint, checkpoint_every));
  }

  void report(const train::TrainOptions& o, const train::TrainResult& result, const train::Evaluation& test) const {
    const std::optional<double> val_acc =
        result.history.empty() || !result.history.back().validation
            ? std::nullopt
            : std::optional(result.history.back().validation->accuracy);
    if (json) {
      nlohmann::json out{{"arch", network.describe()},
                         {"data", dataset},
                         {"test_acc", test.accuracy},
                         {"test_loss", test.loss},
                         {"val_acc", val_acc ? nlohmann::json(*val_acc) : nlohmann::json()},
                         {"epochs", result.history.size()},
                         {"time_s", result.seconds},
                         {"status", train::to_string(result.status)},
                         {"options", o},
                         {"history", result.history}};
      fmt::print("{}\n", out.dump());
      return;
    }
    fmt::print("{}: test accuracy {:.4f}", network.name(), test.accuracy);
    if (val_acc) fmt::print(", validation accuracy {:.4f}", *val_acc);
    fmt::print(" after {} epochs in {:.1f} s ({})\n", result.history.size(), result.seconds,
               train::to_string(result.status));
  }
};

}  // namespace

Command add_train_command(CLI::App& app) {
  CLI::App* cli = app.add_subcommand("train", "Train a network from scratch and report its accuracy");
  auto command = std::make_shared<TrainCommand>(*cli);
  auto& c = *command;
  auto& f = c.flags;
  cli->add_option("--config", c.config, "training options as JSON (flags override them)")->check(CLI::ExistingFile);
  cli->add_option("--data", c.dataset, "dataset: fashion-mnist, mnist, cifar10, synthetic")->capture_default_str();
  cli->add_option("--data-dir", c.data_dir, "directory of the dataset files (mnist, cifar10)");
  cli->add_option("--val-size", c.validation_size,
                  "training images held out for validation (default: a twelfth, 5,000 for Fashion-MNIST)")
      ->check(CLI::NonNegativeNumber);
  cli->add_option("--epochs", f.epochs, "passes over the training set (default 3)");
  cli->add_option("--batch-size", f.batch_size, "images per step (default 128)");
  cli->add_option("--lr", f.lr, "peak learning rate (default 0.1)");
  cli->add_option("--optimizer", f.optimizer, "sgd (Nesterov momentum), adam or adamw (default sgd)");
  cli->add_option("--momentum", f.momentum, "SGD momentum (default 0.9)");
  cli->add_option("--schedule", f.schedule, "cosine, step or constant (default cosine)");
  cli->add_option("--warmup-epochs", f.warmup_epochs, "linear warm-up epochs before the cosine decay");
  cli->add_option("--weight-decay", f.weight_decay, "on conv and linear weights (default 5e-5)");
  cli->add_option("--label-smoothing", f.label_smoothing, "(default 0.1)");
  cli->add_option("--train-subset", f.train_subset, "train on a seeded random subset of N images");
  cli->add_option("--seed", f.seed, "seeds initialisation, data order and augmentation (default 0)");
  cli->add_option("--threads", f.threads, "kernel threads (default: HWNAS_NUM_THREADS or all cores)");
  cli->add_option("--checkpoint", c.checkpoint, "checkpoint file, saved at every epoch end (atomically)");
  cli->add_option("--checkpoint-every", c.checkpoint_every, "also save the checkpoint every N steps")
      ->check(CLI::NonNegativeNumber);
  cli->add_flag("--resume", c.resume, "continue from --checkpoint if it exists");
  cli->add_option("--metrics", c.metrics, "write the per-epoch metrics as JSON Lines to this file");
  cli->add_option("--early-stop", c.early_stop, "stop after N epochs without better validation accuracy")
      ->check(CLI::NonNegativeNumber);
  cli->add_option("--save", c.save, "save the trained weights to this state file");
  cli->add_flag("--json", c.json, "print the result as one JSON document");
  cli->add_flag("--quiet", c.quiet, "no progress on stderr");
  return {cli, [command] { return command->run(); }};
}

}  // namespace hwnas::app
