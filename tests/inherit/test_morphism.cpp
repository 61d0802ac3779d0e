// Morphisms of ofa-fmnist architectures: what each kind changes, when it
// does not apply (and what the error says), the JSON form, and the shortest
// path from an ancestor to a descendant.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/inherit/morphism.hpp"
#include "support/expect.hpp"

namespace hwnas::inherit {
namespace {

using space::OfaFmnistArch;
using testing::expect_error_containing;
using testing::expect_error_message;

const space::OfaFmnistSpace space;

TEST(Morphism, EachKindGrowsOneChoiceByOneStep) {
  const OfaFmnistArch root = morphism_root(24);
  EXPECT_EQ(root.r, 24);
  const OfaFmnistArch wider = apply(root, Morphism::widen(5));
  EXPECT_EQ(wider.e[5], 4);
  EXPECT_EQ(apply(wider, Morphism::widen(5)).e[5], 6);
  const OfaFmnistArch larger = apply(root, Morphism::enlarge_kernel(0));
  EXPECT_EQ(larger.ks[0], 5);
  EXPECT_EQ(apply(larger, Morphism::enlarge_kernel(0)).ks[0], 7);
  const OfaFmnistArch deeper = apply(root, Morphism::deepen(2, {7, 4}));
  EXPECT_EQ(deeper.d[2], 3);
  EXPECT_EQ(deeper.ks[10], 7);
  EXPECT_EQ(deeper.e[10], 4);
  EXPECT_EQ(space.canonical(deeper), "r24|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3,k7e4|k3e3,k3e3");
}

TEST(Morphism, SaysWhyItDoesNotApply) {
  OfaFmnistArch arch = space.largest();
  expect_error_message<ConfigError>([&] { (void)apply(arch, Morphism::widen(5)); },
                                    "widen block 5: expand ratio 6 is already the largest");
  expect_error_message<ConfigError>([&] { (void)apply(arch, Morphism::enlarge_kernel(2)); },
                                    "enlarge kernel of block 2: kernel size 7 is already the largest");
  expect_error_message<ConfigError>([&] { (void)apply(arch, Morphism::deepen(1, {3, 3})); },
                                    "deepen stage 1 with k3e3: depth 4 is already the largest");
  arch = morphism_root(28);
  expect_error_message<ConfigError>([&] { (void)apply(arch, Morphism::widen(6)); },
                                    "widen block 6: the block is inactive (stage 1 has depth 2)");
  expect_error_containing<ConfigError>([&] { (void)apply(arch, Morphism::widen(16)); }, "there are blocks 0 to 15");
  expect_error_containing<ConfigError>([&] { (void)apply(arch, Morphism::deepen(4, {3, 3})); },
                                       "there are stages 0 to 3");
  expect_error_containing<ConfigError>([&] { (void)apply(arch, Morphism::deepen(0, {4, 3})); },
                                       "kernel size 4 is not one of [3, 5, 7]");
  expect_error_containing<ConfigError>([&] { (void)apply(arch, Morphism::deepen(0, {3, 2})); },
                                       "expand ratio 2 is not one of [3, 4, 6]");
  expect_error_containing<ConfigError>([&] { (void)morphism_root(30); }, "resolution 30");
}

TEST(Morphism, RoundTripsThroughJson) {
  for (const Morphism& m : {Morphism::widen(3), Morphism::enlarge_kernel(15), Morphism::deepen(2, {5, 6})}) {
    const nlohmann::json j = m;
    EXPECT_EQ(j.get<Morphism>(), m) << j.dump();
    EXPECT_EQ(nlohmann::json::parse(j.dump()).get<Morphism>(), m);
  }
  EXPECT_EQ(nlohmann::json(Morphism::deepen(2, {5, 6})),
            nlohmann::json::parse(R"({"kind": "deepen", "stage": 2, "ks": 5, "e": 6})"));
  EXPECT_EQ(to_string(Morphism::deepen(2, {5, 6})), "deepen stage 2 with k5e6");
  expect_error_containing<ConfigError>([] { (void)nlohmann::json::parse(R"({"kind": "shrink"})").get<Morphism>(); },
                                       "unknown kind 'shrink'");
  expect_error_containing<ConfigError>(
      [] { (void)nlohmann::json::parse(R"({"kind": "widen", "stage": 1})").get<Morphism>(); },
      "field 'block' must be an integer");
}

TEST(Morphism, ListsEveryApplicableOneAndDrawsOnlyThose) {
  const OfaFmnistArch root = morphism_root(20);
  const auto all = applicable_morphisms(root);
  EXPECT_EQ(all.size(), 8U * 2U + 4U * 9U) << "8 active blocks widen and enlarge; 4 stages deepen 9 ways";
  for (const Morphism& m : all) EXPECT_NO_THROW((void)apply(root, m)) << to_string(m);
  EXPECT_TRUE(applicable_morphisms(space.largest()).empty());
  expect_error_containing<ConfigError>(
      [&] {
        Rng rng(1);
        (void)random_morphism(space.largest(), rng);
      },
      "none applies");

  Rng rng(2);
  OfaFmnistArch arch = root;
  for (int i = 0; i < 200 && !applicable_morphisms(arch).empty(); ++i) arch = apply(arch, random_morphism(arch, rng));
  EXPECT_EQ(space.canonical(arch), space.canonical([] {
              OfaFmnistArch largest = space.largest();
              largest.r = 20;
              return largest;
            }())) << "random morphisms grow any network up to the largest";
}

TEST(MorphismPath, ReconstructsTheChildWithTheShortestSequence) {
  Rng rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    const OfaFmnistArch child = space.sample(rng);
    const OfaFmnistArch root = morphism_root(child.r);
    const auto path = morphism_path(root, child);
    ASSERT_TRUE(path.has_value());
    EXPECT_EQ(space.canonical(apply_path(root, *path)), space.canonical(child));

    // A few random steps up from an ancestor: the path is never longer.
    OfaFmnistArch parent = child;
    std::vector<Morphism> steps;
    for (int i = 0; i < 4 && !applicable_morphisms(parent).empty(); ++i) {
      steps.push_back(random_morphism(parent, rng));
      parent = apply(parent, steps.back());
    }
    const auto up = morphism_path(child, parent);
    ASSERT_TRUE(up.has_value());
    EXPECT_EQ(space.canonical(apply_path(child, *up)), space.canonical(parent));
    EXPECT_LE(up->size(), steps.size());
    EXPECT_EQ(morphism_distance(child, parent), static_cast<std::int64_t>(up->size()));
  }
}

TEST(MorphismPath, OrdersStageByStageAndIsEmptyForTheSameNetwork) {
  OfaFmnistArch parent = morphism_root(28);
  OfaFmnistArch child = parent;
  child.ks[0] = 7;
  child.e[0] = 4;
  child.d[1] = 3;
  child.ks[6] = 5;
  child.e[6] = 6;
  const auto path = morphism_path(parent, child);
  ASSERT_TRUE(path.has_value());
  const std::vector<Morphism> expected{Morphism::enlarge_kernel(0), Morphism::enlarge_kernel(0), Morphism::widen(0),
                                       Morphism::deepen(1, {5, 6})};
  EXPECT_EQ(*path, expected);
  // Entries of inactive blocks do not matter.
  OfaFmnistArch same = parent;
  same.ks[15] = 7;
  EXPECT_EQ(morphism_distance(parent, same), 0);
}

TEST(MorphismPath, IsNoneWhenTheChildIsNotADescendant) {
  const OfaFmnistArch root = morphism_root(28);
  OfaFmnistArch other = root;
  other.r = 32;
  EXPECT_FALSE(morphism_path(root, other).has_value()) << "another resolution";
  OfaFmnistArch deeper = root;
  deeper.d[3] = 3;
  EXPECT_FALSE(morphism_path(deeper, root).has_value()) << "a shallower stage";
  OfaFmnistArch larger = root;
  larger.ks[1] = 5;
  OfaFmnistArch wider = root;
  wider.e[1] = 4;
  EXPECT_FALSE(morphism_path(larger, wider).has_value()) << "a smaller kernel";
  EXPECT_FALSE(morphism_distance(wider, larger).has_value()) << "a smaller expand ratio";
}

}  // namespace
}  // namespace hwnas::inherit
