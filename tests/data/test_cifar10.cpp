#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "hwnas/core/io.hpp"
#include "hwnas/data/cifar10.hpp"
#include "support/expect.hpp"

namespace hwnas::data {
namespace {

namespace fs = std::filesystem;

/// One record: the label, then every pixel of channel c set to fill + c.
std::string record(int label, int fill) {
  std::string bytes(1, static_cast<char>(label));
  for (int c = 0; c < 3; ++c) bytes.append(1024, static_cast<char>(fill + c));
  return bytes;
}

class Cifar10Test : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test in its own process, possibly at the same time.
    dir_ = fs::temp_directory_path() / fmt::format("hwnas_cifar10_{}_{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    write_file_atomically(path, bytes);
    return path;
  }

  fs::path dir_;
};

TEST_F(Cifar10Test, ReadsRecordsInChannelMajorOrder) {
  std::string bytes = record(3, 0) + record(9, 200);
  bytes[1 + 5] = static_cast<char>(255);  // red channel, row 0, column 5 of the first image
  const LabelledImages set = read_cifar10_batch(write("data_batch_1.bin", bytes));
  EXPECT_EQ(set.images.shape(), (Shape{2, 3, 32, 32}));
  EXPECT_EQ(set.labels, (std::vector<std::int32_t>{3, 9}));
  EXPECT_EQ(set.num_classes, 10);
  EXPECT_FLOAT_EQ(set.images(0, 0, 0, 5), 1.0F);
  EXPECT_FLOAT_EQ(set.images(0, 0, 0, 4), 0.0F);
  EXPECT_FLOAT_EQ(set.images(0, 2, 31, 31), 2.0F / 255.0F);
  EXPECT_FLOAT_EQ(set.images(1, 1, 17, 3), 201.0F / 255.0F);
}

TEST_F(Cifar10Test, LoadsTrainBatchesInOrderAndTheTestBatch) {
  for (int i = 1; i <= 5; ++i) write(fmt::format("data_batch_{}.bin", i), record(i, i) + record(0, 0));
  write("test_batch.bin", record(7, 50));
  const LabelledImages train = load_cifar10(dir_, Split::train);
  EXPECT_EQ(train.images.shape(), (Shape{10, 3, 32, 32}));
  EXPECT_EQ(train.labels, (std::vector<std::int32_t>{1, 0, 2, 0, 3, 0, 4, 0, 5, 0}));
  EXPECT_FLOAT_EQ(train.images(8, 0, 0, 0), 5.0F / 255.0F);
  const LabelledImages test = load_cifar10(dir_, Split::test);
  EXPECT_EQ(test.images.shape(), (Shape{1, 3, 32, 32}));
  EXPECT_EQ(test.labels, (std::vector<std::int32_t>{7}));
}

TEST_F(Cifar10Test, TruncatedFileIsADataErrorNamingIt) {
  const std::string bytes = record(1, 1) + record(2, 2);
  const auto path = write("short.bin", bytes.substr(0, bytes.size() - 10));
  testing::expect_error_containing<DataError>([&] { (void)read_cifar10_batch(path); }, "short.bin: truncated");
  testing::expect_error_containing<DataError>([&] { (void)read_cifar10_batch(path); }, "3063 bytes over");
  testing::expect_error_containing<DataError>([&] { (void)read_cifar10_batch(write("empty.bin", "")); },
                                              "empty.bin: empty");
}

TEST_F(Cifar10Test, LabelOutOfRangeIsADataError) {
  const auto path = write("bad.bin", record(4, 0) + record(10, 0));
  testing::expect_error_containing<DataError>([&] { (void)read_cifar10_batch(path); },
                                              "bad.bin: label 10 of record 1 is out of range [0, 10)");
}

TEST_F(Cifar10Test, MissingFileSaysWhichFilesAreExpected) {
  for (int i = 1; i <= 3; ++i) write(fmt::format("data_batch_{}.bin", i), record(0, 0));
  testing::expect_error_containing<DataError>([&] { (void)load_cifar10(dir_, Split::train); },
                                              "data_batch_4.bin: missing");
  testing::expect_error_containing<DataError>([&] { (void)load_cifar10(dir_, Split::test); },
                                              "data_batch_1.bin .. data_batch_5.bin and test_batch.bin");
  testing::expect_error_containing<DataError>([&] { (void)read_cifar10_batch(dir_ / "nothing.bin"); },
                                              "nothing.bin: no such CIFAR-10 batch file");
}

}  // namespace
}  // namespace hwnas::data
