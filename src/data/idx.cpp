#include "hwnas/data/idx.hpp"

#include <cstdlib>
#include <memory>

#include <zlib.h>

#include "hwnas/core/error.hpp"

namespace hwnas::data {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr std::int64_t kMaxElements = std::int64_t{1} << 34;

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

/// Reads exactly `n` bytes unless the file ends first; returns the count read.
std::size_t read_some(gzFile f, const std::filesystem::path& path, void* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1U << 30));
    const int got = gzread(f, static_cast<char*>(out) + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(f, &code);
      throw DataError(fmt::format("{}: corrupt or unreadable compressed data ({})", path.string(), message));
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

std::uint32_t big_endian_u32(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path) {
  HWNAS_CHECK_AS(DataError, std::filesystem::is_regular_file(path), "{}: no such file", path.string());
  // gzread reads plain files transparently, so one path handles both forms.
  GzHandle file(gzopen(path.c_str(), "rb"));
  HWNAS_CHECK_AS(DataError, file != nullptr, "{}: cannot open", path.string());

  std::uint8_t magic[4] = {};
  HWNAS_CHECK_AS(DataError, read_some(file.get(), path, magic, 4) == 4, "{}: truncated before the IDX header ends",
                 path.string());
  HWNAS_CHECK_AS(DataError, magic[0] == 0 && magic[1] == 0 && magic[3] >= 1 && magic[3] <= 4,
                 "{}: bad magic {:02x} {:02x} {:02x} {:02x}, not an IDX file", path.string(), magic[0], magic[1],
                 magic[2], magic[3]);
  HWNAS_CHECK_AS(DataError, magic[2] == kUnsignedByte,
                 "{}: IDX element type 0x{:02x} is not supported (only unsigned bytes, 0x08)", path.string(),
                 magic[2]);

  IdxArray array;
  std::int64_t count = 1;
  for (int i = 0; i < magic[3]; ++i) {
    std::uint8_t dim[4] = {};
    HWNAS_CHECK_AS(DataError, read_some(file.get(), path, dim, 4) == 4, "{}: truncated before the IDX header ends",
                   path.string());
    array.dims.push_back(big_endian_u32(dim));
    count *= array.dims.back();
    HWNAS_CHECK_AS(DataError, count <= kMaxElements, "{}: implausible IDX dimensions {}", path.string(), array.dims);
  }
  array.values.resize(static_cast<std::size_t>(count));
  const std::size_t got = read_some(file.get(), path, array.values.data(), array.values.size());
  HWNAS_CHECK_AS(DataError, got == array.values.size(), "{}: truncated: header {} promises {} bytes of data, found {}",
                 path.string(), array.dims, count, got);
  std::uint8_t extra = 0;
  HWNAS_CHECK_AS(DataError, read_some(file.get(), path, &extra, 1) == 0,
                 "{}: trailing bytes after the {} promised by header {}", path.string(), count, array.dims);
  return array;
}

LabelledImages read_idx_images(const std::filesystem::path& images, const std::filesystem::path& labels,
                               std::int64_t num_classes) {
  const IdxArray pixels = read_idx(images);
  const IdxArray classes = read_idx(labels);
  HWNAS_CHECK_AS(DataError, pixels.dims.size() == 3, "{}: expected N x H x W images, got dimensions {}",
                 images.string(), pixels.dims);
  HWNAS_CHECK_AS(DataError, classes.dims.size() == 1, "{}: expected N labels, got dimensions {}", labels.string(),
                 classes.dims);
  HWNAS_CHECK_AS(DataError, pixels.dims[0] == classes.dims[0], "{} holds {} images but {} holds {} labels",
                 images.string(), pixels.dims[0], labels.string(), classes.dims[0]);

  LabelledImages out;
  out.num_classes = num_classes;
  out.images = Tensor({pixels.dims[0], 1, pixels.dims[1], pixels.dims[2]});
  for (std::size_t i = 0; i < pixels.values.size(); ++i) {
    out.images[static_cast<std::int64_t>(i)] = static_cast<float>(pixels.values[i]) / 255.0F;
  }
  out.labels.reserve(classes.values.size());
  for (std::size_t i = 0; i < classes.values.size(); ++i) {
    const int label = classes.values[i];
    HWNAS_CHECK_AS(DataError, label < num_classes, "{}: label {} of sample {} is out of range [0, {})",
                   labels.string(), label, i, num_classes);
    out.labels.push_back(label);
  }
  return out;
}

std::filesystem::path fashion_mnist_dir() {
  constexpr std::string_view probe = "train-images-idx3-ubyte.gz";
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("HWNAS_DATA_DIR"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
    candidates.emplace_back(std::filesystem::path(env) / "fashion-mnist");
  }
  candidates.emplace_back("/usr/share/datasets/fashion-mnist");
  for (const auto& dir : candidates) {
    if (std::filesystem::exists(dir / probe)) return dir;
  }
  throw DataError(
      "Fashion-MNIST not found (looked in $HWNAS_DATA_DIR and /usr/share/datasets/fashion-mnist). "
      "Install it with `apt-get install dataset-fashion-mnist`, or set HWNAS_DATA_DIR to a directory holding "
      "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz");
}

LabelledImages load_fashion_mnist(Split split) {
  const auto dir = fashion_mnist_dir();
  const std::string prefix = split == Split::train ? "train" : "t10k";
  return read_idx_images(dir / (prefix + "-images-idx3-ubyte.gz"), dir / (prefix + "-labels-idx1-ubyte.gz"), 10);
}

}  // namespace hwnas::data
