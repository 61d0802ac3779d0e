// The decision view of every space: option counts, round trips between
// architectures and decisions for many sampled architectures (typed and
// through AnySpace), every in-range list making a valid architecture, and
// errors naming the decision.

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/space.hpp"
#include "support/expect.hpp"

namespace hwnas::space {
namespace {

static_assert(DecisionSpace<OfaFmnistSpace>);
static_assert(DecisionSpace<ProxylessSpace>);
static_assert(DecisionSpace<Nb201Space>);
static_assert(DecisionSpace<AnySpace>);

/// Every sampled architecture survives the trip through its decisions, whose
/// indices are in range.
template <DecisionSpace S>
void expect_round_trips(const S& space, std::uint64_t seed, int count) {
  const auto options = space.decisions();
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    const auto arch = space.sample(rng);
    const auto indices = space.to_decisions(arch);
    ASSERT_EQ(indices.size(), options.size());
    for (std::size_t d = 0; d < indices.size(); ++d) {
      EXPECT_GE(indices[d], 0);
      EXPECT_LT(indices[d], options[d]) << "decision " << d;
    }
    EXPECT_EQ(space.from_decisions(indices), arch) << space.canonical(arch);
  }
}

/// Decisions drawn uniformly over their options make architectures that
/// give back the same decisions (no index is lost or remapped).
template <DecisionSpace S>
void expect_every_index_list_is_an_architecture(const S& space, std::uint64_t seed, int count) {
  const auto options = space.decisions();
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    std::vector<std::int64_t> indices;
    for (const auto n : options) indices.push_back(static_cast<std::int64_t>(rng.uniform_int(n)));
    const auto arch = space.from_decisions(indices);
    EXPECT_EQ(space.to_decisions(arch), indices);
    EXPECT_EQ(space.from_json(space.to_json(arch)), arch) << "a valid architecture";
  }
}

TEST(Decisions, OfaFmnistHasKernelExpandDepthAndResolutionDecisions) {
  const OfaFmnistSpace space;
  std::vector<std::int64_t> expected(32, 3);
  expected.insert(expected.end(), {3, 3, 3, 3, 4});
  EXPECT_EQ(space.decisions(), expected);
  expect_round_trips(space, 1, 200);
  expect_every_index_list_is_an_architecture(space, 2, 100);

  // Largest: every choice its last option.
  const auto largest = space.to_decisions(space.largest());
  for (std::size_t d = 0; d < largest.size(); ++d) EXPECT_EQ(largest[d], expected[d] - 1);
  EXPECT_EQ(space.to_decisions(space.smallest()), std::vector<std::int64_t>(37, 0));
}

TEST(Decisions, OfaFmnistKeepsDecisionsOfInactiveBlocks) {
  const OfaFmnistSpace space;
  OfaFmnistArch a = space.smallest();  // depth 2: blocks 2 and 3 of each stage inactive
  OfaFmnistArch b = a;
  b.ks[3] = 7;
  EXPECT_EQ(space.canonical(a), space.canonical(b)) << "the same network";
  EXPECT_NE(space.to_decisions(a), space.to_decisions(b));
  EXPECT_EQ(space.from_decisions(space.to_decisions(b)), b);
}

TEST(Decisions, ProxylessFirstLayersHaveNoZero) {
  const ProxylessSpace space;
  const auto options = space.decisions();
  ASSERT_EQ(options.size(), 16U);
  for (std::size_t layer = 0; layer < 16; ++layer) EXPECT_EQ(options[layer], layer % 4 == 0 ? 6 : 7) << layer;
  expect_round_trips(space, 3, 200);
  expect_every_index_list_is_an_architecture(space, 4, 100);

  // Index 0 is `zero` where allowed, and the first MBConv on a stage's first layer.
  const auto arch = space.from_decisions(std::vector<std::int64_t>(16, 0));
  for (std::size_t layer = 0; layer < 16; ++layer)
    EXPECT_EQ(arch.ops[layer], layer % 4 == 0 ? ProxylessSpace::candidates[1] : ProxylessSpace::candidates[0]);
}

TEST(Decisions, Nb201HasFiveOperationsPerEdgeAndTheSpacesInput) {
  const Nb201Space space(100, {3, 16, 16});
  EXPECT_EQ(space.decisions(), std::vector<std::int64_t>(6, 5));
  expect_round_trips(space, 5, 300);
  expect_every_index_list_is_an_architecture(space, 6, 100);

  const auto arch = space.from_decisions(std::vector<std::int64_t>{0, 1, 2, 3, 4, 3});
  EXPECT_EQ(space.canonical(arch),
            "|none~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|nor_conv_3x3~2|");
  EXPECT_EQ(arch.classes, 100);
  EXPECT_EQ(arch.input, (std::array<std::int64_t, 3>{3, 16, 16}));
  // Every architecture of the space, once each.
  for (const auto& a : space.enumerate()) ASSERT_EQ(space.from_decisions(space.to_decisions(a)), a);
}

TEST(Decisions, AnySpaceAgreesWithTheTypedSpaces) {
  for (const auto& name : space_names()) {
    SCOPED_TRACE(name);
    const AnySpace any = make_space(name);
    expect_round_trips(any, 7, 50);
    expect_every_index_list_is_an_architecture(any, 8, 20);
  }
  const AnySpace any = make_space("proxyless");
  const ProxylessSpace typed;
  EXPECT_EQ(any.decisions(), typed.decisions());
  Rng a(9);
  Rng b(9);
  for (int i = 0; i < 10; ++i) {
    const AnyArch arch = any.sample(a);
    const ProxylessArch expected = typed.sample(b);
    EXPECT_EQ(any.to_decisions(arch), typed.to_decisions(expected));
    EXPECT_EQ(any.from_decisions(typed.to_decisions(expected)).get<ProxylessArch>("test"), expected);
  }
  Rng rng(10);
  const AnyArch foreign = make_space("nb201").sample(rng);
  testing::expect_error_containing<ConfigError>([&] { (void)any.to_decisions(foreign); }, "another search space");
}

TEST(Decisions, WrongLengthsAndIndicesNameTheDecision) {
  testing::expect_error_message<ConfigError>(
      [] { (void)OfaFmnistSpace().from_decisions(std::vector<std::int64_t>(36, 0)); },
      "ofa-fmnist: expected 37 decisions, got 36");
  std::vector<std::int64_t> ofa(37, 0);
  ofa[17] = 3;
  testing::expect_error_message<ConfigError>([&] { (void)OfaFmnistSpace().from_decisions(ofa); },
                                             "ofa-fmnist: decision 17 (e[1]) is 3; it has 3 options, indices 0 to 2");
  ofa[17] = 0;
  ofa[36] = 4;
  testing::expect_error_containing<ConfigError>([&] { (void)OfaFmnistSpace().from_decisions(ofa); },
                                                "decision 36 (r) is 4; it has 4 options");
  ofa[36] = 0;
  ofa[33] = -1;
  testing::expect_error_containing<ConfigError>([&] { (void)OfaFmnistSpace().from_decisions(ofa); },
                                                "decision 33 (d[1]) is -1");

  std::vector<std::int64_t> proxyless(16, 0);
  proxyless[4] = 6;
  testing::expect_error_message<ConfigError>(
      [&] { (void)ProxylessSpace().from_decisions(proxyless); },
      "proxyless: decision 4 (ops[4]) is 6; it has 6 options, indices 0 to 5");
  proxyless[4] = 5;
  proxyless[5] = 6;
  EXPECT_EQ(ProxylessSpace().from_decisions(proxyless).ops[5], ProxylessSpace::candidates[6]);

  testing::expect_error_message<ConfigError>(
      [] { (void)Nb201Space().from_decisions(std::vector<std::int64_t>{0, 0, 0, 0, 0, 5}); },
      "nb201: decision 5 (edge 2->3) is 5; it has 5 options, indices 0 to 4");
  testing::expect_error_message<ConfigError>(
      [] { (void)make_space("nb201").from_decisions(std::vector<std::int64_t>{}); },
      "nb201: expected 6 decisions, got 0");
}

}  // namespace
}  // namespace hwnas::space
