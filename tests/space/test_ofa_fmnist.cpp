// The `ofa-fmnist` space: the spec's MACs and parameter counts, networks
// that run at every resolution, uniform seeded sampling, mutation and
// crossover as documented, JSON round trips and errors naming the field.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/space/concepts.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "support/expect.hpp"

namespace hwnas::space {
namespace {

static_assert(SearchSpace<OfaFmnistSpace>);
static_assert(DescribedSpace<OfaFmnistSpace>);

using Arch = OfaFmnistArch;
const OfaFmnistSpace space;

Arch uniform_arch(std::int64_t k, std::int64_t e, std::int64_t d, std::int64_t r) {
  Arch arch;
  arch.ks.fill(k);
  arch.e.fill(e);
  arch.d.fill(d);
  arch.r = r;
  return arch;
}

std::int64_t counted_macs(nn::Module& net) {
  NoGradGuard no_grad;
  net.eval();
  MacCounter counter;
  (void)net(Variable(Tensor(Shape{1, 1, 28, 28})));
  return counter.macs();
}

TEST(OfaFmnist, LargestAndSmallestMatchTheSpec) {
  const Arch largest = uniform_arch(7, 6, 4, 28);
  EXPECT_EQ(space.macs(largest), 30'958'176);
  EXPECT_EQ(space.params(largest), 1'789'930);
  const Arch smallest = uniform_arch(3, 3, 2, 20);
  EXPECT_EQ(space.macs(smallest), 2'940'888);
  EXPECT_EQ(space.params(smallest), 291'642);
  EXPECT_EQ(space.smallest(), smallest);
  EXPECT_EQ(space.largest(), uniform_arch(7, 6, 4, 32));
}

TEST(OfaFmnist, CountsAgreeWithTheBuiltNetwork) {
  Rng rng(5);
  for (int i = 0; i < 8; ++i) {
    const Arch arch = space.sample(rng);
    SCOPED_TRACE(space.canonical(arch));
    auto net = space.build(arch);
    EXPECT_EQ(net->num_parameters(), space.params(arch));
    EXPECT_EQ(counted_macs(*net), space.macs(arch));
  }
}

TEST(OfaFmnist, SampledNetworksRunForwardAndBackwardAtEveryResolution) {
  Rng rng(6);
  for (const std::int64_t r : OfaFmnistSpace::resolutions) {
    Arch arch = space.sample(rng);
    arch.r = r;
    SCOPED_TRACE(space.canonical(arch));
    auto net = space.build(arch);
    nn::init::default_init(*net, rng);
    Tensor images(Shape{2, 1, 28, 28});
    for (auto& v : images.values()) v = static_cast<float>(rng.normal());
    const Variable logits = (*net)(Variable(images));
    EXPECT_EQ(logits.shape(), (Shape{2, 10}));
    Variable loss = cross_entropy(logits, std::vector<std::int32_t>{1, 8});
    loss.backward();
    for (const auto& p : net->named_parameters()) EXPECT_TRUE(p.variable.has_grad()) << p.name;
    // The first block sees the stem's output at r / 2.
    const auto layers = space.summary(arch);
    const auto first_block = std::ranges::find(layers, std::string("mbconv"), &models::LayerSummary::type);
    ASSERT_NE(first_block, layers.end());
    EXPECT_EQ(first_block->input, (Shape{16, r / 2, r / 2}));
  }
}

TEST(OfaFmnist, SamplingIsUniformOverEveryChoice) {
  Rng rng(7);
  std::map<std::int64_t, int> kernels;
  std::map<std::int64_t, int> depths;
  std::map<std::int64_t, int> resolutions;
  constexpr int n = 6000;
  for (int i = 0; i < n; ++i) {
    const Arch arch = space.sample(rng);
    ++kernels[arch.ks[i % Arch::blocks]];
    ++depths[arch.d[i % Arch::stages]];
    ++resolutions[arch.r];
  }
  for (const auto& [value, count] : kernels) EXPECT_NEAR(count, n / 3.0, 4 * std::sqrt(n * 2.0 / 9.0)) << value;
  for (const auto& [value, count] : depths) EXPECT_NEAR(count, n / 3.0, 4 * std::sqrt(n * 2.0 / 9.0)) << value;
  for (const auto& [value, count] : resolutions) EXPECT_NEAR(count, n / 4.0, 4 * std::sqrt(n * 3.0 / 16.0)) << value;
  EXPECT_EQ(kernels.size(), 3U);
  EXPECT_EQ(resolutions.size(), 4U);
}

TEST(OfaFmnist, SameSeedSameArchitecturesOnEveryMachine) {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(space.sample(a), space.sample(b));
  // The generator and the draws are portable: seed 0 gives this architecture everywhere.
  Rng rng(0);
  EXPECT_EQ(space.canonical(space.sample(rng)), "r24|k7e6,k5e4|k5e4,k5e3|k5e6,k7e3|k5e4,k7e4");
}

/// How many of the 37 choices differ.
int changed_choices(const Arch& a, const Arch& b) {
  int n = a.r != b.r;
  for (std::size_t i = 0; i < Arch::blocks; ++i) n += (a.ks[i] != b.ks[i]) + (a.e[i] != b.e[i]);
  for (std::size_t s = 0; s < Arch::stages; ++s) n += a.d[s] != b.d[s];
  return n;
}

TEST(OfaFmnist, MutationChangesEachChoiceWithTheGivenProbability) {
  Rng rng(8);
  const Arch parent = space.sample(rng);
  EXPECT_EQ(space.mutate(parent, rng, 0.0), parent);
  EXPECT_EQ(changed_choices(space.mutate(parent, rng, 1.0), parent), 37);
  int changed = 0;
  constexpr int trials = 400;
  for (int i = 0; i < trials; ++i) {
    const Arch child = space.mutate(parent, rng, 0.3);
    changed += changed_choices(child, parent);
    EXPECT_NO_THROW((void)space.from_json(space.to_json(child)));
  }
  EXPECT_NEAR(changed / (37.0 * trials), 0.3, 0.02);
  testing::expect_error_containing<ConfigError>([&] { (void)space.mutate(parent, rng, 1.5); }, "in [0, 1]");
}

TEST(OfaFmnist, CrossoverTakesEachChoiceFromAParent) {
  Rng rng(9);
  const Arch a = uniform_arch(3, 3, 2, 20);
  const Arch b = uniform_arch(7, 6, 4, 32);
  int from_a = 0;
  constexpr int trials = 200;
  for (int i = 0; i < trials; ++i) {
    const Arch child = space.crossover(a, b, rng);
    from_a += 37 - changed_choices(child, a);
    EXPECT_EQ(changed_choices(child, a) + changed_choices(child, b), 37);
  }
  EXPECT_NEAR(from_a / (37.0 * trials), 0.5, 0.03);
}

TEST(OfaFmnist, JsonRoundTripAndCanonicalString) {
  Rng rng(10);
  for (int i = 0; i < 20; ++i) {
    const Arch arch = space.sample(rng);
    EXPECT_EQ(space.from_json(space.to_json(arch)), arch);
    EXPECT_EQ(space.from_json(nlohmann::json::parse(space.to_json(arch).dump())), arch);
  }
  Arch arch = uniform_arch(5, 4, 2, 24);
  arch.ks[1] = 3;
  EXPECT_EQ(space.canonical(arch), "r24|k5e4,k3e4|k5e4,k5e4|k5e4,k5e4|k5e4,k5e4");
  // Unused blocks do not change the network, nor its canonical string.
  Arch unused_differs = arch;
  unused_differs.ks[3] = 7;
  EXPECT_NE(unused_differs, arch);
  EXPECT_EQ(space.canonical(unused_differs), space.canonical(arch));
  EXPECT_EQ(std::hash<Arch>{}(arch), std::hash<Arch>{}(Arch(arch)));
}

TEST(OfaFmnist, EncodingIsOneHotOverActiveBlocks) {
  const Arch arch = uniform_arch(5, 6, 3, 28);
  const std::vector<float> x = space.encode(arch);
  ASSERT_EQ(x.size(), 100U);
  EXPECT_EQ(x[2], 1.0F);  // resolution 28 is the third of four
  float total = 0.0F;
  for (float v : x) total += v;
  EXPECT_EQ(total, 1.0F + 2.0F * 12.0F);
  EXPECT_EQ(x[4 + 1], 1.0F);            // block 0, kernel 5
  EXPECT_EQ(x[4 + 48 + 2], 1.0F);       // block 0, expand 6
  EXPECT_EQ(x[4 + 3 * 3 + 1], 0.0F);    // block 3 of stage 0 is inactive
}

TEST(OfaFmnist, SizeCountsDistinctNetworks) {
  EXPECT_DOUBLE_EQ(space.size(), 4.0 * std::pow(81.0 + 729.0 + 6561.0, 4.0));
}

TEST(OfaFmnist, BadArchitecturesNameTheFieldAndTheAllowedValues) {
  const nlohmann::json good = space.to_json(uniform_arch(3, 3, 2, 28));
  const auto expect_bad = [&](nlohmann::json j, const std::string& fragment) {
    testing::expect_error_containing<ConfigError>([&] { (void)space.from_json(j); }, fragment);
  };
  auto j = good;
  j["space"] = "nb201";
  expect_bad(j, "architecture of space \"nb201\" given where a ofa-fmnist architecture is expected");
  j = good;
  j["ks"][4] = 4;
  expect_bad(j, "ofa-fmnist: \"ks\"[4] is 4; allowed: 3, 5, 7");
  j = good;
  j["e"].erase(0);
  expect_bad(j, "\"e\" must be a list of 16 integers");
  j = good;
  j["d"][0] = 5;
  expect_bad(j, "\"d\"[0] is 5; allowed: 2, 3, 4");
  j = good;
  j["r"] = 30;
  expect_bad(j, "\"r\" is 30; allowed: 20, 24, 28, 32");
  j = good;
  j.erase("r");
  expect_bad(j, "lacks the field \"r\"");
  j = good;
  j["width"] = 1.2;
  expect_bad(j, "unknown field \"width\"");
  expect_bad(nlohmann::json::array(), "must be a JSON object");
}

}  // namespace
}  // namespace hwnas::space
