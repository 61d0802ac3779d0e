#include "hwnas/data/datasets.hpp"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/data/cifar10.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/data/synthetic.hpp"
#include "hwnas/data/transforms.hpp"

namespace hwnas::data {
namespace {

/// `dir/name`, or `dir/name.gz` when only the compressed file exists.
std::filesystem::path plain_or_gz(const std::filesystem::path& dir, const std::string& name) {
  const auto plain = dir / name;
  if (std::filesystem::exists(plain)) return plain;
  const auto gz = dir / (name + ".gz");
  if (std::filesystem::exists(gz)) return gz;
  throw DataError(fmt::format("MNIST file {} (or {}.gz) not found in {}", name, name, dir.string()));
}

std::filesystem::path mnist_dir(const std::filesystem::path& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("HWNAS_DATA_DIR");
  HWNAS_CHECK_AS(DataError, env != nullptr && *env != '\0',
                 "MNIST needs a directory: pass one (--data-dir) or set HWNAS_DATA_DIR to a directory with an "
                 "mnist/ folder holding train-images-idx3-ubyte and the other three IDX files");
  return std::filesystem::path(env) / "mnist";
}

/// The train and test splits of dataset `name`.
std::pair<LabelledImages, LabelledImages> load_splits(std::string_view name, const DatasetOptions& options) {
  if (name == "fashion-mnist") return {load_fashion_mnist(Split::train), load_fashion_mnist(Split::test)};
  if (name == "mnist") {
    const auto dir = mnist_dir(options.dir);
    return {load_mnist(dir, Split::train), load_mnist(dir, Split::test)};
  }
  if (name == "cifar10") {
    HWNAS_CHECK_AS(DataError, !options.dir.empty(),
                   "CIFAR-10 needs the directory of its binary batches (data_batch_1.bin ... test_batch.bin)");
    return {load_cifar10(options.dir, Split::train), load_cifar10(options.dir, Split::test)};
  }
  if (name == "synthetic") {
    const auto spec = SyntheticSpec{}.height(28).width(28).classes(10);
    return {make_synthetic(SyntheticSpec(spec).samples(2400).seed(options.seed)),
            make_synthetic(SyntheticSpec(spec).samples(600).seed(options.seed + 1))};
  }
  throw ConfigError(fmt::format("unknown dataset '{}'; known: {}", name, fmt::join(dataset_names(), ", ")));
}

}  // namespace

std::vector<std::string> dataset_names() { return {"fashion-mnist", "mnist", "cifar10", "synthetic"}; }

LabelledImages load_mnist(const std::filesystem::path& dir, Split split) {
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const auto images = plain_or_gz(dir, prefix + "-images-idx3-ubyte");
  const auto labels = plain_or_gz(dir, prefix + "-labels-idx1-ubyte");
  return read_idx_images(images, labels, 10);
}

void channel_statistics(const Tensor& images, std::vector<float>& mean, std::vector<float>& stddev) {
  HWNAS_CHECK_SHAPE(images.dim() == 4 && images.numel() > 0, "channel_statistics: expected non-empty NCHW images, got {}",
                    images.shape());
  const std::int64_t n = images.size(0);
  const std::int64_t channels = images.size(1);
  const std::int64_t plane = images.size(2) * images.size(3);
  mean.assign(static_cast<std::size_t>(channels), 0.0F);
  stddev.assign(static_cast<std::size_t>(channels), 0.0F);
  for (std::int64_t c = 0; c < channels; ++c) {
    double sum = 0.0;
    double sum_sq = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const float* p = images.data() + (i * channels + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) {
        sum += p[k];
        sum_sq += static_cast<double>(p[k]) * p[k];
      }
    }
    const double count = static_cast<double>(n * plane);
    const double m = sum / count;
    mean[static_cast<std::size_t>(c)] = static_cast<float>(m);
    stddev[static_cast<std::size_t>(c)] = static_cast<float>(std::sqrt(std::max(sum_sq / count - m * m, 1e-12)));
  }
}

Dataset load_dataset(std::string_view name, const DatasetOptions& options) {
  auto [train, test] = load_splits(name, options);
  const auto available = static_cast<std::int64_t>(train.labels.size());
  const std::int64_t validation_size = options.validation_size.value_or(available / 12);
  HWNAS_CHECK_CONFIG(validation_size >= 0 && validation_size < available,
                     "validation size must be in [0, {}) for {}, got {}", available, name, validation_size);
  Dataset d{std::string(name), {}, {}, std::move(test), {}, {}};
  if (validation_size > 0) {
    auto parts = split_off(train, validation_size, options.seed);
    d.train = std::move(parts.train);
    d.validation = std::move(parts.validation);
  } else {
    d.train = std::move(train);
  }
  if (options.standardize) {
    channel_statistics(d.train.images, d.mean, d.stddev);
    for (LabelledImages* split : {&d.train, &d.validation, &d.test})
      if (!split->labels.empty()) normalize(split->images, d.mean, d.stddev);
  }
  return d;
}

}  // namespace hwnas::data
