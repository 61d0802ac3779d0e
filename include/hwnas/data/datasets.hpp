#pragma once
/// \file
/// Datasets by name, as the command-line tool and configuration files give
/// them, each as a train / validation / test triple ready for training:
///
/// | name            | images        | where from |
/// |-----------------|---------------|------------|
/// | `fashion-mnist` | 1 x 28 x 28   | `fashion_mnist_dir()` (HWNAS_DATA_DIR, else the Debian package) |
/// | `mnist`         | 1 x 28 x 28   | the given directory, else `$HWNAS_DATA_DIR/mnist` (IDX files, plain or .gz) |
/// | `cifar10`       | 3 x 32 x 32   | the given directory (binary batches) |
/// | `synthetic`     | 1 x 28 x 28   | generated from the seed (2,400 train, 600 test, 10 classes) |

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/data/idx.hpp"

namespace hwnas::data {

/// The names `load_dataset` knows, in table order.
[[nodiscard]] std::vector<std::string> dataset_names();

/// The MNIST files in `dir`: `train-images-idx3-ubyte` etc., each plain or
/// gzip compressed. A DataError names the files looked for when one is missing.
[[nodiscard]] LabelledImages load_mnist(const std::filesystem::path& dir, Split split);

struct DatasetOptions {
  /// Directory of the files (`mnist`, `cifar10`); empty for the default.
  std::filesystem::path dir;
  /// Images moved from the training set into the validation set, chosen by
  /// `seed`; by default a twelfth of it (Fashion-MNIST: 55,000 / 5,000).
  std::optional<std::int64_t> validation_size;
  std::uint64_t seed = 0;
  /// Standardise every split with the per-channel mean and standard
  /// deviation of the training split.
  bool standardize = true;
};

/// A dataset split three ways.
struct Dataset {
  std::string name;
  LabelledImages train;
  LabelledImages validation;
  LabelledImages test;
  /// The per-channel statistics used to standardise (empty if not).
  std::vector<float> mean;
  std::vector<float> stddev;
};

/// Loads the dataset called `name`; ConfigError naming the known datasets
/// for another name, DataError when its files are missing or corrupt.
[[nodiscard]] Dataset load_dataset(std::string_view name, const DatasetOptions& options = {});

/// Per-channel mean and standard deviation of NCHW `images`.
void channel_statistics(const Tensor& images, std::vector<float>& mean, std::vector<float>& stddev);

}  // namespace hwnas::data
