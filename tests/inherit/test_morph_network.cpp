// Morphisms carried to trained networks: each kind gives a network of the
// child architecture (the same entries and shapes as space.build(child))
// computing the parent's function, in evaluation and in training mode.

#include <gtest/gtest.h>

#include "hwnas/inherit/morph_network.hpp"
#include "inherit/function_checks.hpp"
#include "support/expect.hpp"

namespace hwnas::inherit {
namespace {

using space::OfaFmnistArch;

const space::OfaFmnistSpace space;

/// Stage 0: k3e3 k5e4 k3e6; stage 1 (squeeze-excite): k3e3 k7e4; stage 2: k5e3 k3e3;
/// stage 3 (squeeze-excite): k3e4 k5e3 k3e6, at resolution 24 (so the network resizes).
OfaFmnistArch parent_arch() {
  OfaFmnistArch arch = morphism_root(24);
  arch.d = {3, 2, 2, 3};
  arch.ks[1] = 5;
  arch.e[1] = 4;
  arch.e[2] = 6;
  arch.ks[5] = 7;
  arch.e[5] = 4;
  arch.ks[8] = 5;
  arch.e[12] = 4;
  arch.ks[13] = 5;
  arch.e[14] = 6;
  return arch;
}

/// Checks that `path` carries the parent network to one of `apply_path(parent, path)` with the same function.
template <Scalar T>
void check_carries(const std::vector<Morphism>& path, double tolerance, bool train_too = true) {
  const OfaFmnistArch parent = parent_arch();
  auto parent_net = space.build<T>(parent);
  testing::randomise(*parent_net, 1);
  Rng rng(2);
  auto child_net = morph_network(parent, *parent_net, path, rng);
  const OfaFmnistArch child = apply_path(parent, path);
  EXPECT_EQ(testing::entry_shapes(*child_net), testing::entry_shapes(*space.build<T>(child)));
  testing::expect_same_function_in_modes(*parent_net, *child_net,
                                         testing::random_input<T>(Shape{4, 1, 28, 28}, 3), tolerance, train_too);
}

TEST(MorphNetwork, WidensABlockWithoutSqueezeExcite) {
  check_carries<double>({Morphism::widen(0)}, 1e-10);
  check_carries<double>({Morphism::widen(1)}, 1e-10);
}

TEST(MorphNetwork, WidensABlockAndItsSqueezeExcite) {
  // Stage 1's first block: 24 * 3 = 72 -> 96 middle channels, squeeze-excite 24 -> 24;
  // stage 3's first block: 80 * 4 = 320 -> 480, squeeze-excite 80 -> 120;
  // stage 1's second block: 40 * 4 = 160 -> 240, squeeze-excite 40 -> 64.
  check_carries<double>({Morphism::widen(4)}, 1e-10);
  check_carries<double>({Morphism::widen(12)}, 1e-10);
  check_carries<double>({Morphism::widen(5), Morphism::widen(4), Morphism::widen(4)}, 1e-10);
}

TEST(MorphNetwork, DeepensAStageWithAnIdentityBlockAndShiftsTheLaterBlocks) {
  check_carries<double>({Morphism::deepen(1, {5, 6})}, 1e-10);
  check_carries<double>({Morphism::deepen(0, {3, 3}), Morphism::deepen(3, {7, 4})}, 1e-10);
}

TEST(MorphNetwork, EnlargesAKernelByZeroPadding) {
  check_carries<double>({Morphism::enlarge_kernel(0), Morphism::enlarge_kernel(4)}, 1e-10);
  check_carries<double>({Morphism::enlarge_kernel(12), Morphism::enlarge_kernel(12), Morphism::enlarge_kernel(13)},
                        1e-10);
}

TEST(MorphNetwork, CarriesAFloatNetworkAlongALongPathWithinRounding) {
  const OfaFmnistArch parent = parent_arch();
  OfaFmnistArch child = space.largest();
  child.r = parent.r;
  const auto path = morphism_path(parent, child);
  ASSERT_TRUE(path.has_value());
  check_carries<float>(*path, 1e-5);
}

TEST(MorphNetwork, AnEmptyPathCopiesTheNetwork) {
  const OfaFmnistArch parent = parent_arch();
  auto parent_net = space.build(parent);
  testing::randomise(*parent_net, 4);
  Rng rng(5);
  auto copy = morph_network(parent, *parent_net, std::vector<Morphism>{}, rng);
  testing::expect_same_function_in_modes(*parent_net, *copy, testing::random_input<float>(Shape{2, 1, 28, 28}, 6),
                                         0.0, true);
  copy->named_parameters()[0].variable.value().fill(0.0F);
  EXPECT_NE(parent_net->named_parameters()[0].variable.value(), copy->named_parameters()[0].variable.value());
}

TEST(MorphNetwork, RejectsMorphismsThatDoNotApplyAndNetworksOfAnotherArchitecture) {
  const OfaFmnistArch parent = parent_arch();
  auto parent_net = space.build(parent);
  Rng rng(7);
  testing::expect_error_message<ConfigError>(
      [&] { (void)morph_network(parent, *parent_net, Morphism::widen(2), rng); },
      "widen block 2: expand ratio 6 is already the largest");
  auto other_net = space.build(morphism_root(24));
  testing::expect_error_containing<ConfigError>(
      [&] { (void)morph_network(parent, *other_net, Morphism::widen(0), rng); },
      "the network has 8 blocks, but the architecture 10");
}

}  // namespace
}  // namespace hwnas::inherit
