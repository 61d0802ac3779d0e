// AnySpace: every space behind one type, chosen by name or by an
// architecture's "space" field, giving the same answers as the typed space.

#include <unordered_set>

#include <gtest/gtest.h>

#include "hwnas/space.hpp"
#include "support/expect.hpp"

namespace hwnas::space {
namespace {

static_assert(SearchSpace<AnySpace>);
static_assert(DescribedSpace<AnySpace>);

TEST(AnySpace, AgreesWithTheTypedSpace) {
  const AnySpace any = make_space("ofa-fmnist");
  const OfaFmnistSpace typed;
  Rng a(3);
  Rng b(3);
  for (int i = 0; i < 10; ++i) {
    const AnyArch arch = any.sample(a);
    const OfaFmnistArch expected = typed.sample(b);
    EXPECT_EQ(arch.get<OfaFmnistArch>("test"), expected);
    EXPECT_EQ(any.canonical(arch), typed.canonical(expected));
    EXPECT_EQ(any.macs(arch), typed.macs(expected));
    EXPECT_EQ(any.encode(arch), typed.encode(expected));
    EXPECT_EQ(any.to_json(arch), typed.to_json(expected));
  }
  EXPECT_EQ(any.name(), "ofa-fmnist");
  EXPECT_EQ(any.size(), typed.size());
  EXPECT_EQ(any.choices()["r"], nlohmann::json({20, 24, 28, 32}));
}

TEST(AnySpace, ArchitecturesCompareAndHashByValue) {
  const AnySpace any = make_space("proxyless");
  Rng rng(4);
  const AnyArch arch = any.sample(rng);
  const AnyArch copy = any.from_json(any.to_json(arch));
  EXPECT_EQ(arch, copy);
  EXPECT_EQ(std::hash<AnyArch>{}(arch), std::hash<AnyArch>{}(copy));
  std::unordered_set<AnyArch> seen{arch, copy, any.mutate(arch, rng, 1.0)};
  EXPECT_EQ(seen.size(), 2U);
  EXPECT_NE(arch, AnyArch());
}

TEST(AnySpace, ParseArchPicksTheSpaceNamedInTheJson) {
  for (const auto& name : space_names()) {
    SCOPED_TRACE(name);
    const AnySpace space = make_space(name);
    Rng rng(5);
    const AnyArch arch = space.sample(rng);
    auto [parsed_space, parsed] = parse_arch(space.to_json(arch));
    EXPECT_EQ(parsed_space.name(), name);
    EXPECT_EQ(parsed, arch);
    EXPECT_EQ(parsed_space.params(parsed), space.params(arch));
    EXPECT_EQ(space.build(arch)->num_parameters(), space.params(arch));
  }
  // nb201 keeps the architecture's own classes and input.
  const auto [nb, arch] = parse_arch({{"space", "nb201"},
                                      {"arch", "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"},
                                      {"classes", 100},
                                      {"input", {3, 32, 32}}});
  EXPECT_EQ(nb.summary(arch).back().output, (Shape{100}));
  EXPECT_EQ(nb.choices()["classes"], 100);
}

TEST(AnySpace, ErrorsNameTheSpacesAndTheProblem) {
  testing::expect_error_message<ConfigError>([] { (void)make_space("darts"); },
                                             "unknown search space 'darts'; known: ofa-fmnist, nb201, proxyless");
  testing::expect_error_containing<ConfigError>([] { (void)parse_arch({{"ks", {3}}}); },
                                                "must be a JSON object with a \"space\" field");
  const AnySpace ofa = make_space("ofa-fmnist");
  const AnySpace proxyless = make_space("proxyless");
  Rng rng(6);
  const AnyArch arch = proxyless.sample(rng);
  testing::expect_error_containing<ConfigError>([&] { (void)ofa.macs(arch); },
                                                "ofa-fmnist: the architecture belongs to another search space");
}

}  // namespace
}  // namespace hwnas::space
