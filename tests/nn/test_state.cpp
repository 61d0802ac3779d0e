// The state format: round trips, and a precise IoError for every kind of damage.

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "hwnas/core/io.hpp"
#include "hwnas/nn.hpp"
#include "support/expect.hpp"
#include "support/printers.hpp"

namespace hwnas::nn {
namespace {

std::shared_ptr<Sequential> make_net(std::int64_t width = 4, std::int64_t classes = 3) {
  auto net = std::make_shared<Sequential>();
  net->emplace_back<Conv2d>(Conv2dSpec{2, width, 3}.padding(1).bias(false));
  net->emplace_back<BatchNorm2d>(width);
  net->emplace_back<ReLU>();
  net->emplace_back<SqueezeExcite>(width, 8);
  net->emplace_back<GlobalAvgPool2d>();
  net->emplace_back<Flatten>();
  net->emplace_back<Linear>(width, classes);
  return net;
}

// A trained-looking net: random weights and moved running statistics.
std::shared_ptr<Sequential> trained_net(std::uint64_t seed) {
  auto net = make_net();
  Rng rng(seed);
  init::default_init(*net, rng);
  for (auto& p : net->named_parameters()) init::uniform(p.variable.value(), rng, -1.0, 1.0);
  Tensor x(Shape{4, 2, 5, 5});
  init::normal(x, rng);
  (void)net->forward(Variable(x));
  net->eval();
  return net;
}

Tensor probe_input() {
  Rng rng(77);
  Tensor x(Shape{2, 2, 5, 5});
  init::normal(x, rng);
  return x;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::path(::testing::TempDir()) / ("hwnas_state_" + name);
}

// Expects loading `bytes` into `target` to fail with an IoError naming the
// source and containing `needle`.
template <Scalar T>
void expect_load_error(std::string bytes, const std::string& needle, BasicModule<T>& target) {
  const auto load = [&] { (void)load_state_from_string(target, bytes, "net.state"); };
  testing::expect_error_containing<IoError>(load, "net.state");
  testing::expect_error_containing<IoError>(load, needle);
}

void expect_load_error(std::string bytes, const std::string& needle) {
  expect_load_error(std::move(bytes), needle, *make_net());
}

// Byte offset of the data section (after magic, version, header length and header).
std::size_t data_start(const std::string& bytes) {
  std::uint64_t header = 0;
  std::memcpy(&header, bytes.data() + 12, 8);
  return 20 + static_cast<std::size_t>(header);
}

TEST(StateFormat, Crc32CheckValue) {
  EXPECT_EQ(detail::crc32("123456789"), 0xCBF43926U);
  EXPECT_EQ(detail::crc32(""), 0U);
}

TEST(StateFormat, LayoutStartsWithMagicVersionAndHeader) {
  const auto bytes = state_to_string(*make_net(), {{"epoch", 3}});
  EXPECT_EQ(bytes.substr(0, 8), "HWNSTATE");
  EXPECT_EQ(bytes[8], 1);
  const auto header = nlohmann::json::parse(bytes.substr(20, data_start(bytes) - 20));
  EXPECT_EQ(header["metadata"]["epoch"], 3);
  const auto& first = header["tensors"][0];
  EXPECT_EQ(first["name"], "0.weight");
  EXPECT_EQ(first["dtype"], "f32");
  EXPECT_EQ(first["shape"], nlohmann::json::array({4, 2, 3, 3}));
  EXPECT_EQ(first["offset"], 0);
  EXPECT_EQ(first["bytes"], 4 * 72);
}

TEST(StateRoundTrip, FileRestoresOutputsAndMetadata) {
  const auto source = trained_net(1);
  const auto path = temp_path("round_trip.state");
  save_state(*source, path, {{"epoch", 7}, {"arch", "tiny"}});

  auto target = trained_net(2);
  const Tensor x = probe_input();
  ASSERT_NE(target->forward(Variable(x)).value(), source->forward(Variable(x)).value());
  const auto metadata = load_state(*target, path);
  EXPECT_EQ(metadata["epoch"], 7);
  EXPECT_EQ(metadata["arch"], "tiny");
  EXPECT_EQ(target->forward(Variable(x)).value(), source->forward(Variable(x)).value());
  const auto sb = source->named_buffers();
  const auto tb = target->named_buffers();
  for (std::size_t i = 0; i < sb.size(); ++i) EXPECT_EQ(*tb[i].tensor, *sb[i].tensor) << sb[i].name;
  std::filesystem::remove(path);
}

TEST(StateRoundTrip, StringAndDoublePrecision) {
  BasicLinear<double> a(3, 2);
  Rng rng(5);
  init::default_init(a, rng);
  BasicLinear<double> b(3, 2);
  const auto metadata = load_state_from_string(b, state_to_string(a));
  EXPECT_TRUE(metadata.is_object() && metadata.empty());
  EXPECT_EQ(b.weight().value(), a.weight().value());
  // Float state into a double module is a dtype mismatch, not a silent conversion.
  expect_load_error(state_to_string(Linear(3, 2)), "dtype mismatch for tensor 'weight': stored f32, expected f64", b);
}

TEST(StateRoundTrip, MetadataMustBeAnObject) {
  EXPECT_THROW((void)state_to_string(*make_net(), nlohmann::json::array()), ConfigError);
}

TEST(StateErrors, MissingFileNamesIt) {
  auto net = make_net();
  try {
    (void)load_state(*net, temp_path("does_not_exist.state"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("does_not_exist.state"), std::string::npos) << e.what();
  }
}

TEST(StateErrors, BadMagic) {
  auto bytes = state_to_string(*make_net());
  bytes[0] = 'X';
  expect_load_error(bytes, "bad magic");
  expect_load_error("HWN", "bad magic");
}

TEST(StateErrors, UnsupportedVersion) {
  auto bytes = state_to_string(*make_net());
  bytes[8] = 2;
  expect_load_error(bytes, "unsupported format version 2");
}

TEST(StateErrors, TruncatedHeader) {
  const auto bytes = state_to_string(*make_net());
  expect_load_error(bytes.substr(0, 14), "truncated header");
  expect_load_error(bytes.substr(0, 40), "truncated header");
}

TEST(StateErrors, TruncatedData) {
  const auto bytes = state_to_string(*make_net());
  expect_load_error(bytes.substr(0, bytes.size() - 1), "truncated data");
}

TEST(StateErrors, TrailingBytes) { expect_load_error(state_to_string(*make_net()) + "xx", "2 unexpected bytes"); }

TEST(StateErrors, MalformedJson) {
  auto bytes = state_to_string(*make_net());
  bytes[20] = '[';
  expect_load_error(bytes, "malformed JSON header");
  auto wrong_type = state_to_string(*make_net());
  const auto at = wrong_type.find("\"dtype\"");
  wrong_type.replace(at, 7, "\"dtypo\"");
  expect_load_error(wrong_type, "lacks a valid 'dtype'");
}

TEST(StateErrors, FlippedDataByteIsACrcMismatch) {
  auto bytes = state_to_string(*make_net());
  bytes[data_start(bytes) + 5] ^= 0x10;
  expect_load_error(bytes, "CRC mismatch in tensor '0.weight'");
}

TEST(StateErrors, CorruptFileOnDisk) {
  const auto path = temp_path("corrupt.state");
  save_state(*make_net(), path);
  auto bytes = read_file(path);
  bytes[bytes.size() - 1] ^= 0x01;
  write_file_atomically(path, bytes);
  auto net = make_net();
  try {
    (void)load_state(*net, path);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CRC mismatch in tensor '1.running_var'"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(StateErrors, ShapeMismatchPrintsBothShapes) {
  auto wide = make_net(8);
  expect_load_error(state_to_string(*make_net(4)),
                    "shape mismatch for tensor '0.weight': stored [4, 2, 3, 3], expected [8, 2, 3, 3]", *wide);
}

TEST(StateErrors, MissingAndExtraTensors) {
  Sequential small;
  small.emplace_back<Conv2d>(Conv2dSpec{2, 4, 3}.padding(1).bias(false));
  small.emplace_back<BatchNorm2d>(4);
  expect_load_error(state_to_string(small), "missing tensor(s) 3.reduce.weight");

  auto net = make_net();
  expect_load_error(state_to_string(*net), "unexpected extra tensor(s) 3.reduce.weight", small);
}

TEST(StateErrors, FailedLoadChangesNothing) {
  auto net = trained_net(3);
  const auto before = state_to_string(*net);
  auto bytes = state_to_string(*trained_net(4));
  bytes[bytes.size() - 1] ^= 0x01;  // only the last tensor (a buffer) is damaged
  EXPECT_THROW((void)load_state_from_string(*net, bytes), IoError);
  EXPECT_EQ(state_to_string(*net), before);
  // Every tensor but the classifier's fits: still nothing is written.
  EXPECT_THROW((void)load_state_from_string(*net, state_to_string(*make_net(4, 5))), IoError);
  EXPECT_EQ(state_to_string(*net), before);
}

TEST(StateWriter, RejectsDuplicateNames) {
  StateWriter writer;
  writer.add("a", Tensor(Shape{1}));
  EXPECT_THROW(writer.add("a", TensorD(Shape{1})), ConfigError);
}

TEST(StateReader, MixedPrecisionBuffer) {
  StateWriter writer;
  writer.add("f", Tensor(Shape{2}, {1.0F, 2.0F}));
  writer.add("d", TensorD(Shape{1, 1}, {3.0}));
  const StateReader reader(writer.finish({{"k", 1}}), "mixed");
  EXPECT_EQ(reader.names(), (std::vector<std::string>{"f", "d"}));
  Tensor f(Shape{2});
  TensorD d(Shape{1, 1});
  // Each precision is read on its own, so the other one counts as unexpected.
  const std::vector<BasicNamedBuffer<Tensor>> floats{{"f", &f}};
  EXPECT_THROW(reader.read_into<float>(floats), IoError);
  StateWriter one;
  one.add("d", TensorD(Shape{1, 1}, {3.0}));
  const std::vector<BasicNamedBuffer<TensorD>> doubles{{"d", &d}};
  StateReader(one.finish(), "one").read_into<double>(doubles);
  EXPECT_EQ(d[0], 3.0);
}

}  // namespace
}  // namespace hwnas::nn
