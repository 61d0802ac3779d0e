// Trains the built-in MobileNetV3-style MBConv network on Fashion-MNIST and
// reports its test accuracy: the library's training API end to end.
//
//   build/examples/train_mbconv --epochs 3 --threads 2
//
// benchmarks/compare/train_pytorch.py trains the same network with the same
// recipe in PyTorch; docs/benchmarks.md compares the two.
#include <cstdio>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <hwnas/hwnas.hpp>

int main(int argc, char** argv) {
  std::int64_t epochs = 3;
  int threads = 0;
  std::uint64_t seed = 0;
  std::string checkpoint;
  CLI::App app{"Train the built-in MBConv network on Fashion-MNIST with hwnas"};
  app.add_option("--epochs", epochs, "passes over the training set")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "kernel threads (0: HWNAS_NUM_THREADS or all)");
  app.add_option("--seed", seed, "seeds weights, data split, order and augmentation");
  app.add_option("--checkpoint", checkpoint, "save a resumable checkpoint here every epoch; resume from it");
  CLI11_PARSE(app, argc, argv);

  using namespace hwnas;
  try {
    // 55,000 / 5,000 / 10,000 images, standardised with the training statistics.
    data::DatasetOptions split;
    split.seed = seed;
    const data::Dataset fmnist = data::load_dataset("fashion-mnist", split);

    auto net = models::mobilenet(models::mbconv_config());
    Rng rng(seed);
    nn::init::default_init(*net, rng);

    // SGD with Nesterov momentum, cosine decay from 0.1, label smoothing 0.1.
    train::Trainer trainer(net, train::TrainOptions{}
                                    .epochs(epochs)
                                    .batch_size(128)
                                    .lr(0.1)
                                    .weight_decay(5e-5)
                                    .label_smoothing(0.1)
                                    .seed(seed)
                                    .threads(threads));
    if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) trainer.load_checkpoint(checkpoint);
    const train::TrainResult result =
        trainer.fit(fmnist.train, &fmnist.validation, train::ShowProgress{},
                    train::callback_if<train::Checkpointing>(!checkpoint.empty(), checkpoint));

    fmt::print("test accuracy {:.4f} after {} epochs, {:.1f} s of training\n", trainer.evaluate(fmnist.test).accuracy,
               result.history.size(), result.seconds);
    return 0;
  } catch (const hwnas::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
