// The `proxyless` space: counts against an independent derivation, `zero`
// layers, seeded sampling and mutation that respect the first-layer rule,
// JSON round trips and errors naming the field.

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/space/concepts.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/space/proxyless.hpp"
#include "support/expect.hpp"

namespace hwnas::space {
namespace {

static_assert(SearchSpace<ProxylessSpace>);
static_assert(DescribedSpace<ProxylessSpace>);

using Arch = ProxylessArch;
const ProxylessSpace space;

Arch every_layer(ProxylessOp op) {
  Arch arch;
  arch.ops.fill(op);
  return arch;
}

TEST(Proxyless, CountsAreOfaFmnistWithoutSqueezeExcite) {
  // ofa-fmnist with every block k3 e3, depth 4, r 28 differs only by its SE
  // modules: stage 2 has mids 72, 120, 120, 120 (se 24, 32, 32, 32), stage 4
  // mids 240, 288, 288, 288 (se 64, 72, 72, 72).
  OfaFmnistArch ofa;
  ofa.ks.fill(3);
  ofa.e.fill(3);
  ofa.d.fill(4);
  ofa.r = 28;
  const OfaFmnistSpace ofa_space;
  const auto se_params = [](std::int64_t mid, std::int64_t se) { return 2 * mid * se + se + mid; };
  const std::int64_t se_total =
      se_params(72, 24) + 3 * se_params(120, 32) + se_params(240, 64) + 3 * se_params(288, 72);
  const std::int64_t se_macs = 2 * (72 * 24 + 3 * 120 * 32 + 240 * 64 + 3 * 288 * 72);
  const Arch arch = every_layer({3, 3});
  EXPECT_EQ(space.params(arch), ofa_space.params(ofa) - se_total);
  EXPECT_EQ(space.macs(arch), ofa_space.macs(ofa) - se_macs);
}

TEST(Proxyless, ZeroLayersAreSkipped) {
  Arch arch = every_layer({5, 6});
  const std::int64_t full = space.params(arch);
  arch.ops[1] = ProxylessOp{};  // stage 1, second layer: 24 -> 24, mid 144, k5
  const std::int64_t mid = 144;
  EXPECT_EQ(full - space.params(arch), (24 * mid + 2 * mid) + (mid * 25 + 2 * mid) + (mid * 24 + 48));
  EXPECT_EQ(space.config(arch).stages[0].blocks.size(), 3U);
}

TEST(Proxyless, CountsAgreeWithTheBuiltNetworkAndItRuns) {
  Rng rng(3);
  for (int i = 0; i < 6; ++i) {
    const Arch arch = space.sample(rng);
    SCOPED_TRACE(space.canonical(arch));
    auto net = space.build(arch);
    EXPECT_EQ(net->num_parameters(), space.params(arch));
    nn::init::default_init(*net, rng);
    Tensor images(Shape{2, 1, 28, 28});
    for (auto& v : images.values()) v = static_cast<float>(rng.normal());
    MacCounter counter;
    const Variable logits = (*net)(Variable(images));
    EXPECT_EQ(counter.macs(), 2 * space.macs(arch));
    Variable loss = cross_entropy(logits, std::vector<std::int32_t>{0, 9});
    loss.backward();
    for (const auto& p : net->named_parameters()) EXPECT_TRUE(p.variable.has_grad()) << p.name;
  }
}

TEST(Proxyless, SamplingIsUniformAndNeverZeroOnAStagesFirstLayer) {
  Rng rng(4);
  std::map<std::string, int> first;
  std::map<std::string, int> other;
  constexpr int n = 7000;
  for (int i = 0; i < n; ++i) {
    const Arch arch = space.sample(rng);
    ++first[arch.ops[4].name()];
    ++other[arch.ops[5].name()];
  }
  EXPECT_EQ(first.size(), 6U);
  EXPECT_FALSE(first.contains("zero"));
  EXPECT_EQ(other.size(), 7U);
  for (const auto& [op, count] : first) EXPECT_NEAR(count, n / 6.0, 4 * std::sqrt(n * 5.0 / 36.0)) << op;
  for (const auto& [op, count] : other) EXPECT_NEAR(count, n / 7.0, 4 * std::sqrt(n * 6.0 / 49.0)) << op;
}

TEST(Proxyless, MutationAndCrossoverKeepArchitecturesValid) {
  Rng rng(5);
  const Arch parent = space.sample(rng);
  EXPECT_EQ(space.mutate(parent, rng, 0.0), parent);
  const Arch changed = space.mutate(parent, rng, 1.0);
  for (std::size_t i = 0; i < Arch::layers; ++i) EXPECT_NE(changed.ops[i], parent.ops[i]) << i;
  for (int i = 0; i < 200; ++i) {
    const Arch child = space.crossover(space.mutate(parent, rng, 0.5), space.sample(rng), rng);
    EXPECT_EQ(space.from_json(space.to_json(child)), child);
  }
}

TEST(Proxyless, JsonCanonicalAndEncoding) {
  Arch arch = every_layer({7, 6});
  arch.ops[2] = ProxylessOp{};
  EXPECT_EQ(space.to_json(arch)["ops"][2], "zero");
  EXPECT_EQ(space.to_json(arch)["ops"][0], "mb_k7_e6");
  EXPECT_EQ(space.canonical(arch).substr(0, 26), "mb_k7_e6,mb_k7_e6,zero,mb_");
  const auto x = space.encode(arch);
  ASSERT_EQ(x.size(), 112U);
  EXPECT_EQ(x[6], 1.0F);       // layer 0: mb_k7_e6 is the last candidate
  EXPECT_EQ(x[2 * 7], 1.0F);   // layer 2: zero is the first
  EXPECT_EQ(std::count(x.begin(), x.end(), 1.0F), 16);
  EXPECT_DOUBLE_EQ(space.size(), std::pow(6.0, 4.0) * std::pow(7.0, 12.0));
}

TEST(Proxyless, BadArchitecturesNameTheFieldAndTheAllowedValues) {
  const nlohmann::json good = space.to_json(every_layer({3, 6}));
  auto j = good;
  j["ops"][4] = "zero";
  testing::expect_error_containing<ConfigError>(
      [&] { (void)space.from_json(j); },
      "proxyless: \"ops\"[4] is \"zero\"; allowed on a stage's first layer: mb_k3_e3, mb_k3_e6");
  j = good;
  j["ops"][5] = "mb_k9_e6";
  testing::expect_error_containing<ConfigError>([&] { (void)space.from_json(j); },
                                                "\"ops\"[5] is \"mb_k9_e6\"; allowed: zero, mb_k3_e3");
  j = good;
  j["ops"].erase(0);
  testing::expect_error_containing<ConfigError>([&] { (void)space.from_json(j); }, "must be a list of 16 strings");
  j = good;
  j["space"] = "ofa-fmnist";
  testing::expect_error_containing<ConfigError>([&] { (void)space.from_json(j); }, "a proxyless architecture");
}

}  // namespace
}  // namespace hwnas::space
