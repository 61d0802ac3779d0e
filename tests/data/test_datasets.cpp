// Datasets by name: the three-way split, standardisation, MNIST from a
// directory of IDX files, and errors that say what is missing.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "hwnas/core/io.hpp"
#include "hwnas/data/datasets.hpp"
#include "support/expect.hpp"

namespace hwnas::data {
namespace {

namespace fs = std::filesystem;

TEST(Datasets, SyntheticSplitsAndStandardises) {
  const Dataset d = load_dataset("synthetic");
  EXPECT_EQ(d.name, "synthetic");
  EXPECT_EQ(d.train.labels.size(), 2200U);  // 2,400 less a twelfth
  EXPECT_EQ(d.validation.labels.size(), 200U);
  EXPECT_EQ(d.test.labels.size(), 600U);
  EXPECT_EQ(d.train.images.shape(), (Shape{2200, 1, 28, 28}));
  std::vector<float> mean;
  std::vector<float> stddev;
  channel_statistics(d.train.images, mean, stddev);
  EXPECT_NEAR(mean[0], 0.0F, 1e-4F);
  EXPECT_NEAR(stddev[0], 1.0F, 1e-4F);
  EXPECT_GT(d.stddev[0], 0.0F);
}

TEST(Datasets, ValidationSizeAndSeed) {
  DatasetOptions options;
  options.validation_size = 0;
  options.standardize = false;
  const Dataset whole = load_dataset("synthetic", options);
  EXPECT_EQ(whole.train.labels.size(), 2400U);
  EXPECT_TRUE(whole.validation.labels.empty());
  EXPECT_TRUE(whole.mean.empty());

  options.validation_size = 400;
  const Dataset a = load_dataset("synthetic", options);
  const Dataset b = load_dataset("synthetic", options);
  EXPECT_EQ(a.validation.labels, b.validation.labels);
  options.seed = 1;
  EXPECT_NE(load_dataset("synthetic", options).validation.labels, a.validation.labels);

  options.validation_size = 2400;
  testing::expect_error_containing<ConfigError>([&] { (void)load_dataset("synthetic", options); },
                                                "validation size must be in [0, 2400) for synthetic, got 2400");
}

TEST(Datasets, ChannelStatisticsPerChannel) {
  Tensor images(Shape{2, 2, 1, 2});
  const float values[] = {1, 3, 10, 10, 1, 3, 20, 20};  // channel 0: 1 3 1 3, channel 1: 10 10 20 20
  std::copy(std::begin(values), std::end(values), images.data());
  std::vector<float> mean;
  std::vector<float> stddev;
  channel_statistics(images, mean, stddev);
  EXPECT_FLOAT_EQ(mean[0], 2.0F);
  EXPECT_FLOAT_EQ(stddev[0], 1.0F);
  EXPECT_FLOAT_EQ(mean[1], 15.0F);
  EXPECT_FLOAT_EQ(stddev[1], 5.0F);
}

TEST(Datasets, UnknownNameAndMissingDirectories) {
  testing::expect_error_message<ConfigError>([] { (void)load_dataset("imagenet"); },
                                             "unknown dataset 'imagenet'; known: fashion-mnist, mnist, cifar10, synthetic");
  testing::expect_error_containing<DataError>([] { (void)load_dataset("cifar10"); }, "CIFAR-10 needs the directory");
  DatasetOptions options;
  options.dir = "/nonexistent";
  testing::expect_error_containing<DataError>([&] { (void)load_dataset("mnist", options); },
                                              "MNIST file train-images-idx3-ubyte (or train-images-idx3-ubyte.gz) not "
                                              "found in /nonexistent");
}

std::string idx(std::vector<std::uint32_t> dims, const std::vector<std::uint8_t>& values) {
  std::string out{'\0', '\0', '\x08', static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(d >> shift));
  out.append(values.begin(), values.end());
  return out;
}

TEST(Datasets, MnistFromADirectoryOfPlainIdxFiles) {
  const fs::path dir = fs::temp_directory_path() / ("hwnas_mnist_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::vector<std::uint8_t> pixels(3 * 2 * 2, 255);
  for (const std::string prefix : {"train", "t10k"}) {
    write_file_atomically(dir / (prefix + "-images-idx3-ubyte"), idx({3, 2, 2}, pixels));
    write_file_atomically(dir / (prefix + "-labels-idx1-ubyte"), idx({3}, {0, 9, 4}));
  }
  const LabelledImages train = load_mnist(dir, Split::train);
  EXPECT_EQ(train.images.shape(), (Shape{3, 1, 2, 2}));
  EXPECT_EQ(train.labels, (std::vector<std::int32_t>{0, 9, 4}));
  EXPECT_FLOAT_EQ(train.images[0], 1.0F);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hwnas::data
