#pragma once
/// \file
/// Readers for the IDX format of MNIST and Fashion-MNIST (optionally gzip
/// compressed), and the location of the Fashion-MNIST files on this machine.

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "hwnas/core/tensor.hpp"

namespace hwnas::data {

/// The contents of one IDX file of unsigned bytes: its dimensions and elements.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> values;
};

/// Reads an IDX file of unsigned bytes, plain or gzip compressed. A bad magic
/// number, an unsupported element type, or a file shorter or longer than its
/// header promises is a DataError naming the file.
[[nodiscard]] IdxArray read_idx(const std::filesystem::path& path);

/// Images scaled to [0, 1] as [N, 1, H, W] with their class labels.
struct LabelledImages {
  Tensor images;
  std::vector<std::int32_t> labels;
  std::int64_t num_classes = 0;
};

/// Reads a pair of IDX image (N x H x W) and label (N) files; labels must lie
/// in [0, num_classes) and the counts must match.
[[nodiscard]] LabelledImages read_idx_images(const std::filesystem::path& images, const std::filesystem::path& labels,
                                             std::int64_t num_classes);

enum class Split { train, test };

/// Where the Fashion-MNIST files are: `$HWNAS_DATA_DIR` if set (either the
/// directory holding the files or one with a `fashion-mnist/` folder), else the
/// Debian package location /usr/share/datasets/fashion-mnist. A DataError
/// says how to install them when neither holds the files.
[[nodiscard]] std::filesystem::path fashion_mnist_dir();

/// The Fashion-MNIST train (60,000) or test (10,000) images.
[[nodiscard]] LabelledImages load_fashion_mnist(Split split);

}  // namespace hwnas::data
