// Trains a small MobileNet-style CNN on Fashion-MNIST and reports test accuracy.
//
//   build/examples/train_small_cnn --epochs 2 --threads 2
//
// Everything a training run needs is here in ~150 lines: data, network, SGD
// with a cosine schedule and label smoothing, evaluation.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

#include <CLI/CLI.hpp>

#include <hwnas/hwnas.hpp>

namespace {

using namespace hwnas;

struct Options {
  int epochs = 2;
  int batch_size = 128;
  double lr = 0.1;
  double weight_decay = 5e-5;
  double label_smoothing = 0.1;
  int threads = 0;
  std::int64_t train_subset = 0;
  std::uint64_t seed = 0;
};

/// conv -> BN -> ReLU, the unit every layer below is made of.
void conv_bn_relu(nn::Sequential& net, std::int64_t in, std::int64_t out, std::int64_t kernel,
                  std::int64_t stride, std::int64_t groups = 1) {
  net.emplace_back<nn::Conv2d>(nn::Conv2dSpec{in, out, kernel}.stride(stride).padding(kernel / 2).groups(groups));
  net.emplace_back<nn::BatchNorm2d>(out);
  net.emplace_back<nn::ReLU>();
}

/// 28x28 -> 14x14 (stem) -> 7x7 (depthwise-separable blocks) -> 10 classes.
std::shared_ptr<nn::Sequential> small_cnn() {
  auto net = std::make_shared<nn::Sequential>();
  conv_bn_relu(*net, 1, 16, 3, 2);
  conv_bn_relu(*net, 16, 16, 3, 1, 16);
  conv_bn_relu(*net, 16, 48, 1, 1);
  conv_bn_relu(*net, 48, 48, 5, 2, 48);
  conv_bn_relu(*net, 48, 96, 1, 1);
  net->emplace_back<nn::GlobalAvgPool2d>();
  net->emplace_back<nn::Flatten>();
  net->emplace_back<nn::Linear>(96, 10);
  return net;
}

std::int64_t count_correct(const Tensor& logits, const std::vector<std::int32_t>& labels) {
  const auto scores = logits.matrix(logits.size(0));
  std::int64_t correct = 0;
  for (Eigen::Index n = 0; n < scores.rows(); ++n) {
    Eigen::Index best = 0;
    scores.row(n).maxCoeff(&best);
    correct += best == labels[static_cast<std::size_t>(n)];
  }
  return correct;
}

/// The first `count` images of `set` (all of them for 0).
data::LabelledImages first_images(data::LabelledImages set, std::int64_t count) {
  if (count <= 0 || count >= set.images.size(0)) return set;
  std::vector<std::int64_t> first(static_cast<std::size_t>(count));
  std::iota(first.begin(), first.end(), 0);
  return data::subset(set, first);
}

double test_accuracy(nn::Module& net, const data::LabelledImages& test) {
  NoGradGuard no_grad;
  net.eval();
  std::int64_t correct = 0;
  for (const data::Batch& batch : data::DataLoader(test, data::LoaderOptions{}.batch_size(500))) {
    correct += count_correct(net(Variable(batch.images)).value(), batch.labels);
  }
  net.train();
  return static_cast<double>(correct) / static_cast<double>(test.labels.size());
}

int run(const Options& opt) {
  set_num_threads(opt.threads);
  const data::LabelledImages train = first_images(data::load_fashion_mnist(data::Split::train), opt.train_subset);
  const data::LabelledImages test = data::load_fashion_mnist(data::Split::test);
  data::DataLoader loader(
      train, data::LoaderOptions{}.batch_size(opt.batch_size).shuffle(true).drop_last(true).seed(opt.seed));
  const auto steps_per_epoch = loader.size();
  HWNAS_CHECK_CONFIG(steps_per_epoch > 0, "--batch-size {} is larger than the {} training images", opt.batch_size,
                     train.labels.size());

  Rng rng(opt.seed);
  auto net = small_cnn();
  nn::init::default_init(*net, rng);
  optim::SGD sgd(net->named_parameters(), optim::SGDOptions(opt.lr)
                                              .momentum(0.9)
                                              .nesterov(true)
                                              .weight_decay(opt.weight_decay)
                                              .decay_norm_and_bias(false));
  const optim::CosineSchedule schedule(opt.lr, opt.epochs * steps_per_epoch, steps_per_epoch / 2);
  std::printf("training on %zu Fashion-MNIST images, %lld parameters, %d threads\n", train.labels.size(),
              static_cast<long long>(net->num_parameters()), num_threads());

  std::int64_t step = 0;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    loader.set_epoch(epoch);
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0.0;
    std::int64_t correct = 0;
    for (const data::Batch& batch : loader) {
      sgd.set_lr(schedule.lr(step++));
      sgd.zero_grad();
      const Variable logits = (*net)(Variable(batch.images));
      Variable loss = cross_entropy(logits, batch.labels, opt.label_smoothing);
      loss.backward();
      sgd.step();
      loss_sum += loss.item();
      correct += count_correct(logits.value(), batch.labels);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double seen = static_cast<double>(steps_per_epoch) * opt.batch_size;
    std::printf("epoch %d/%d  loss %.4f  train acc %.4f  test acc %.4f  %.0f images/s\n", epoch, opt.epochs,
                loss_sum / static_cast<double>(steps_per_epoch), static_cast<double>(correct) / seen,
                test_accuracy(*net, test), seen / seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"Train a small CNN on Fashion-MNIST with hwnas"};
  app.add_option("--epochs", opt.epochs, "passes over the training set")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", opt.batch_size, "images per step")->check(CLI::PositiveNumber);
  app.add_option("--lr", opt.lr, "peak learning rate (cosine schedule)")->check(CLI::PositiveNumber);
  app.add_option("--weight-decay", opt.weight_decay, "L2 weight decay on conv and linear weights");
  app.add_option("--label-smoothing", opt.label_smoothing, "label smoothing")->check(CLI::Range(0.0, 1.0));
  app.add_option("--threads", opt.threads, "kernel threads (0: HWNAS_NUM_THREADS or all)");
  app.add_option("--train-subset", opt.train_subset, "train on the first N images only (0: all)");
  app.add_option("--seed", opt.seed, "random seed");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(opt);
  } catch (const hwnas::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const hwnas::DataError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
}
