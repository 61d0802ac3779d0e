#pragma once
/// \file
/// Reader for the binary version of CIFAR-10: five training batches
/// `data_batch_1.bin` .. `data_batch_5.bin` (10,000 images each) and
/// `test_batch.bin`. Each record is one label byte followed by 3072 pixel
/// bytes, a 32 x 32 image per colour channel (red, green, blue), row-major.

#include <cstdint>
#include <filesystem>

#include "hwnas/data/idx.hpp"

namespace hwnas::data {

/// Bytes per CIFAR-10 record: the label, then 3 x 32 x 32 pixels.
inline constexpr std::int64_t kCifar10RecordBytes = 1 + 3 * 32 * 32;

/// Reads one binary batch file as images [N, 3, 32, 32] scaled to [0, 1] with
/// labels in [0, 10). A missing or empty file, a size that is not a whole
/// number of records, or a label of 10 or more is a DataError naming the file.
[[nodiscard]] LabelledImages read_cifar10_batch(const std::filesystem::path& path);

/// The training set (the five data batches in order, 50,000 images) or the
/// test set (10,000) from the directory `dir` holding the binary batch files.
/// A DataError lists the expected files when one is missing.
[[nodiscard]] LabelledImages load_cifar10(const std::filesystem::path& dir, Split split);

}  // namespace hwnas::data
