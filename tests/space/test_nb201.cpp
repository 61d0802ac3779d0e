// The `nb201` space: the benchmark's parameter counts exactly, all 15,625
// cells enumerated once each, the benchmark's string format both ways, and
// networks that run.

#include <set>

#include <gtest/gtest.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/space/concepts.hpp"
#include "hwnas/space/nb201.hpp"
#include "support/expect.hpp"

namespace hwnas::space {
namespace {

static_assert(SearchSpace<Nb201Space>);
static_assert(DescribedSpace<Nb201Space>);

using Arch = Nb201Arch;
const Nb201Space space;

Arch parse(const std::string& text) {
  return space.from_json({{"space", "nb201"}, {"arch", text}, {"classes", 10}, {"input", {3, 32, 32}}});
}

TEST(Nb201, ParameterCountsAreTheBenchmarks) {
  const Arch all_conv3 = parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  EXPECT_EQ(space.params(all_conv3), 1'531'546);
  const Arch mixed = parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|");
  EXPECT_EQ(space.params(mixed), 587'386);
  const Arch parameter_free =
      parse("|avg_pool_3x3~0|+|skip_connect~0|skip_connect~1|+|avg_pool_3x3~0|skip_connect~1|skip_connect~2|");
  EXPECT_EQ(space.params(parameter_free), 73'306);
  for (const Arch& arch : {all_conv3, mixed, parameter_free})
    EXPECT_EQ(space.build(arch)->num_parameters(), space.params(arch)) << space.canonical(arch);
}

TEST(Nb201, MacsAreConvAndLinearOnly) {
  const Arch arch = parse("|nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|");
  // Stem 32*32*3*16*9; one 1x1 edge per cell at 16 (32x32), 32 (16x16), 64 (8x8), 5 cells each;
  // reductions at 16x16 (16->32) and 8x8 (32->64); classifier 64*10.
  const std::int64_t cells = 5 * (32 * 32 * 16 * 16 + 16 * 16 * 32 * 32 + 8 * 8 * 64 * 64);
  const std::int64_t reductions = 16 * 16 * (16 * 32 * 9 + 32 * 32 * 9 + 16 * 32) + 8 * 8 * (32 * 64 * 9 + 64 * 64 * 9 + 32 * 64);
  EXPECT_EQ(space.macs(arch), 32 * 32 * 3 * 16 * 9 + cells + reductions + 64 * 10);
  auto net = space.build(arch);
  NoGradGuard no_grad;
  MacCounter counter;
  (void)(*net)(Variable(Tensor(Shape{1, 3, 32, 32})));
  EXPECT_EQ(counter.macs(), space.macs(arch));
}

TEST(Nb201, EnumerationCoversEveryCellOnce) {
  const auto all = space.enumerate();
  ASSERT_EQ(all.size(), 15625U);
  std::set<std::string> seen;
  for (const auto& arch : all) seen.insert(space.canonical(arch));
  EXPECT_EQ(seen.size(), 15625U);
  EXPECT_EQ(space.canonical(all.front()), "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  EXPECT_EQ(space.size(), 15625.0);
}

TEST(Nb201, StringsRoundTripAndMalformedOnesNameTheProblem) {
  const std::string text = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|";
  EXPECT_EQ(space.canonical(parse(text)), text);
  Rng rng(1);
  for (int i = 0; i < 50; ++i) {
    const Arch arch = space.sample(rng);
    EXPECT_EQ(space.from_json(space.to_json(arch)), arch);
  }
  const auto expect_bad = [](const std::string& s, const std::string& fragment) {
    testing::expect_error_containing<ConfigError>([&] { (void)Nb201Space::parse_cell(s); }, fragment);
  };
  expect_bad("|none~0|+|none~0|none~1|", "2 node groups separated by '+', expected 3");
  expect_bad("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 has 1 incoming edges, expected 2");
  expect_bad("|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|",
             "unknown operation \"conv_5x5\"; allowed: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3");
  expect_bad("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "edge \"none~1\" into node 1 must read op~0");
  expect_bad("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'");
  testing::expect_error_containing<ConfigError>(
      [] { (void)space.from_json({{"space", "nb201"}, {"arch", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"},
                                  {"classes", 10}, {"input", {3, 30, 30}}}); },
      "square H = W a positive multiple of 4");
  testing::expect_error_containing<ConfigError>([] { (void)space.from_json({{"space", "nb201"}, {"arch", 3}, {"classes", 10}, {"input", {3, 32, 32}}}); },
                                                "\"arch\" must be a string");
}

TEST(Nb201, MutationCrossoverAndEncoding) {
  Rng rng(2);
  const Arch a = space.sample(rng);
  EXPECT_EQ(space.mutate(a, rng, 0.0), a);
  const Arch changed = space.mutate(a, rng, 1.0);
  for (std::size_t e = 0; e < 6; ++e) EXPECT_NE(changed.cell[e], a.cell[e]);
  const Arch child = space.crossover(a, changed, rng);
  for (std::size_t e = 0; e < 6; ++e) EXPECT_TRUE(child.cell[e] == a.cell[e] || child.cell[e] == changed.cell[e]);
  const auto x = space.encode(parse("|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"));
  ASSERT_EQ(x.size(), 30U);
  EXPECT_EQ(x[4], 1.0F);       // edge 0: avg_pool_3x3, the fifth op
  EXPECT_EQ(x[5 * 5 + 1], 1.0F);  // edge 5: skip_connect
}

TEST(Nb201, NetworksRunOnFashionMnistShapedInputs) {
  const Nb201Space fmnist(10, {1, 28, 28});
  Rng rng(3);
  for (int i = 0; i < 3; ++i) {
    const Arch arch = fmnist.sample(rng);
    SCOPED_TRACE(fmnist.canonical(arch));
    auto net = fmnist.build(arch);
    nn::init::default_init(*net, rng);
    Tensor images(Shape{2, 1, 28, 28});
    for (auto& v : images.values()) v = static_cast<float>(rng.normal());
    const Variable logits = (*net)(Variable(images));
    EXPECT_EQ(logits.shape(), (Shape{2, 10}));
    Variable loss = cross_entropy(logits, std::vector<std::int32_t>{2, 5});
    loss.backward();
    EXPECT_EQ(net->num_parameters(), fmnist.params(arch));
  }
}

}  // namespace
}  // namespace hwnas::space
