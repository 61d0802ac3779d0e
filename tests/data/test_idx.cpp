#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include "hwnas/core/io.hpp"
#include "hwnas/data/idx.hpp"
#include "support/expect.hpp"

namespace hwnas::data {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

Bytes idx_bytes(std::vector<std::uint32_t> dims, const Bytes& values, std::uint8_t type = 0x08) {
  Bytes out{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(d >> shift));
  }
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test in its own process, possibly at the same time.
    dir_ = fs::temp_directory_path() /
           fmt::format("hwnas_idx_{}_{}", ::getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path plain(const std::string& name, const Bytes& bytes) {
    const auto path = dir_ / name;
    write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
    return path;
  }
  fs::path gzipped(const std::string& name, const Bytes& bytes) {
    const auto path = dir_ / name;
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }

  fs::path dir_;
};

TEST_F(IdxTest, ReadsPlainAndGzippedFilesAlike) {
  const Bytes pixels{0, 255, 51, 102, 7, 8, 9, 10};
  for (const auto& path : {plain("a.idx", idx_bytes({2, 2, 2}, pixels)), gzipped("a.idx.gz", idx_bytes({2, 2, 2}, pixels))}) {
    const IdxArray a = read_idx(path);
    EXPECT_EQ(a.dims, (std::vector<std::int64_t>{2, 2, 2}));
    EXPECT_EQ(a.values, pixels);
  }
}

TEST_F(IdxTest, ImagesAreScaledAndLabelled) {
  const auto images = plain("i", idx_bytes({2, 1, 2}, {0, 255, 51, 102}));
  const auto labels = plain("l", idx_bytes({2}, {3, 9}));
  const LabelledImages set = read_idx_images(images, labels, 10);
  EXPECT_EQ(set.images.shape(), (Shape{2, 1, 1, 2}));
  EXPECT_FLOAT_EQ(set.images[1], 1.0F);
  EXPECT_FLOAT_EQ(set.images[2], 0.2F);
  EXPECT_EQ(set.labels, (std::vector<std::int32_t>{3, 9}));
}

TEST_F(IdxTest, CorruptFilesAreDataErrors) {
  testing::expect_error_containing<DataError>([&] { (void)read_idx(plain("m", {1, 2, 8, 1, 0, 0, 0, 1, 5})); }, "bad magic");
  testing::expect_error_containing<DataError>([&] { (void)read_idx(plain("t", idx_bytes({1}, {0, 0, 0, 0}, 0x0D))); }, "not supported");
  testing::expect_error_containing<DataError>([&] { (void)read_idx(plain("h", {0, 0, 8, 3, 0, 0})); }, "truncated before the IDX header");
  testing::expect_error_containing<DataError>([&] { (void)read_idx(plain("d", idx_bytes({4, 2}, {1, 2, 3}))); }, "promises 8 bytes of data, found 3");
  testing::expect_error_containing<DataError>([&] { (void)read_idx(gzipped("dz", idx_bytes({4, 2}, {1, 2, 3}))); }, "found 3");
  testing::expect_error_containing<DataError>([&] { (void)read_idx(plain("x", idx_bytes({2}, {1, 2, 3}))); }, "trailing bytes");
  testing::expect_error_containing<DataError>([&] { (void)read_idx(dir_ / "absent"); }, "no such file");
}

TEST_F(IdxTest, TruncatedGzipStreamIsADataError) {
  const auto full = gzipped("full.gz", idx_bytes({64}, Bytes(64, 7)));
  const std::string bytes = read_file(full);
  const auto cut = plain("cut.gz", Bytes(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
  EXPECT_THROW((void)read_idx(cut), DataError);
}

TEST_F(IdxTest, InconsistentPairsAreDataErrors) {
  const auto images = plain("i", idx_bytes({2, 1, 1}, {1, 2}));
  testing::expect_error_containing<DataError>([&] { (void)read_idx_images(images, plain("l3", idx_bytes({3}, {0, 1, 2})), 10); }, "holds 2 images but");
  testing::expect_error_containing<DataError>([&] { (void)read_idx_images(images, plain("l", idx_bytes({2}, {0, 10})), 10); },
                    "label 10 of sample 1 is out of range [0, 10)");
  testing::expect_error_containing<DataError>([&] { (void)read_idx_images(plain("flat", idx_bytes({2}, {1, 2})), images, 10); }, "expected N x H x W");
}

TEST_F(IdxTest, FashionMnistDirectoryComesFromTheEnvironment) {
  const char* saved = std::getenv("HWNAS_DATA_DIR");
  const std::string previous = saved ? saved : "";
  ::setenv("HWNAS_DATA_DIR", dir_.c_str(), 1);
  plain("fashion-mnist/train-images-idx3-ubyte.gz", {});
  EXPECT_EQ(fashion_mnist_dir(), dir_ / "fashion-mnist");
  saved ? ::setenv("HWNAS_DATA_DIR", previous.c_str(), 1) : ::unsetenv("HWNAS_DATA_DIR");
}

}  // namespace
}  // namespace hwnas::data
