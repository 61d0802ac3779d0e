#include "hwnas/data/cifar10.hpp"

#include <string>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"

namespace hwnas::data {
namespace {

constexpr std::int64_t kClasses = 10;
constexpr std::int64_t kChannels = 3;
constexpr std::int64_t kSide = 32;
constexpr std::int64_t kPixels = kCifar10RecordBytes - 1;

const std::vector<std::string>& batch_names(Split split) {
  static const std::vector<std::string> train{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                              "data_batch_4.bin", "data_batch_5.bin"};
  static const std::vector<std::string> test{"test_batch.bin"};
  return split == Split::train ? train : test;
}

/// The raw records of one batch file, checked to be a positive whole number of them.
std::string read_records(const std::filesystem::path& path) {
  HWNAS_CHECK_AS(DataError, std::filesystem::is_regular_file(path), "{}: no such CIFAR-10 batch file",
                 path.string());
  std::string bytes = read_file(path);
  const auto size = static_cast<std::int64_t>(bytes.size());
  HWNAS_CHECK_AS(DataError, size > 0, "{}: empty CIFAR-10 batch file", path.string());
  HWNAS_CHECK_AS(DataError, size % kCifar10RecordBytes == 0,
                 "{}: truncated: {} bytes is not a whole number of {}-byte CIFAR-10 records ({} whole, {} bytes over)",
                 path.string(), size, kCifar10RecordBytes, size / kCifar10RecordBytes, size % kCifar10RecordBytes);
  return bytes;
}

/// Decodes the records of `bytes` into `out` starting at sample `first`.
void decode_records(const std::string& bytes, const std::filesystem::path& path, LabelledImages& out,
                    std::int64_t first) {
  const std::int64_t records = static_cast<std::int64_t>(bytes.size()) / kCifar10RecordBytes;
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::int64_t r = 0; r < records; ++r) {
    const unsigned char* record = raw + r * kCifar10RecordBytes;
    const int label = record[0];
    HWNAS_CHECK_AS(DataError, label < kClasses, "{}: label {} of record {} is out of range [0, {})", path.string(),
                   label, r, kClasses);
    out.labels.push_back(label);
    float* pixels = out.images.data() + (first + r) * kPixels;
    for (std::int64_t p = 0; p < kPixels; ++p) pixels[p] = static_cast<float>(record[1 + p]) / 255.0F;
  }
}

/// Reads the files in order into one dataset.
LabelledImages read_batches(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> contents;
  std::int64_t total = 0;
  for (const auto& path : paths) {
    contents.push_back(read_records(path));
    total += static_cast<std::int64_t>(contents.back().size()) / kCifar10RecordBytes;
  }
  LabelledImages out;
  out.num_classes = kClasses;
  out.images = Tensor::uninitialized(Shape{total, kChannels, kSide, kSide});
  out.labels.reserve(static_cast<std::size_t>(total));
  std::int64_t first = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    decode_records(contents[i], paths[i], out, first);
    first += static_cast<std::int64_t>(contents[i].size()) / kCifar10RecordBytes;
  }
  return out;
}

}  // namespace

LabelledImages read_cifar10_batch(const std::filesystem::path& path) { return read_batches({path}); }

LabelledImages load_cifar10(const std::filesystem::path& dir, Split split) {
  const auto& names = batch_names(split);
  std::vector<std::filesystem::path> paths;
  for (const auto& name : names) {
    paths.push_back(dir / name);
    HWNAS_CHECK_AS(DataError, std::filesystem::is_regular_file(paths.back()),
                   "{}: missing; a CIFAR-10 directory holds the binary batches data_batch_1.bin .. data_batch_5.bin "
                   "and test_batch.bin (the {} split needs {})",
                   paths.back().string(), split == Split::train ? "train" : "test", fmt::join(names, ", "));
  }
  return read_batches(paths);
}

}  // namespace hwnas::data
