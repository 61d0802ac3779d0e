// The weight-inheritance estimator on a few synthetic images: the first
// estimate trains a root, later ones inherit from the nearest pooled
// network and cost less, the pool evicts its oldest non-root entries, and
// the same seed gives the same numbers.

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "hwnas/data/synthetic.hpp"
#include "hwnas/inherit/morphism.hpp"
#include "hwnas/inherit/net2net_accuracy.hpp"
#include "support/expect.hpp"

namespace hwnas::inherit {
namespace {

using space::OfaFmnistArch;

static_assert(estimate::AccuracyEstimator<Net2NetAccuracy, space::OfaFmnistSpace>);
static_assert(estimate::AccuracyEstimator<Net2NetAccuracy, space::AnySpace>);

const space::OfaFmnistSpace space;

std::shared_ptr<const data::LabelledImages> images(std::int64_t samples, std::uint64_t seed) {
  return std::make_shared<const data::LabelledImages>(
      data::make_synthetic(data::SyntheticSpec{}.samples(samples).channels(1).height(28).width(28).seed(seed)));
}

Net2NetOptions tiny_options(std::int64_t capacity = 8) {
  return Net2NetOptions{}
      .root_training(train::TrainOptions{}.epochs(1).batch_size(16).eval_batch_size(32))
      .fine_tuning(train::TrainOptions{}.epochs(1).batch_size(16).eval_batch_size(32).train_subset(32).lr(0.01))
      .pool_capacity(capacity)
      .seed(4);
}

Net2NetAccuracy tiny_estimator(std::int64_t capacity = 8) {
  return Net2NetAccuracy(images(64, 1), images(32, 2), tiny_options(capacity));
}

/// The root at 20 pixels grown along `path`.
OfaFmnistArch grown(std::initializer_list<Morphism> path) { return apply_path(morphism_root(20), std::vector(path)); }

TEST(Net2NetAccuracy, TrainsTheRootOnceAndThenInheritsForLess) {
  Net2NetAccuracy estimator = tiny_estimator();
  const OfaFmnistArch a = grown({Morphism::widen(0)});
  const OfaFmnistArch b = grown({Morphism::widen(0), Morphism::deepen(2, {5, 4})});

  const estimate::Estimate first = estimator.estimate(a);
  ASSERT_EQ(estimator.pool().size(), 2U) << "the root and the child";
  EXPECT_TRUE(estimator.pool()[0].root);
  EXPECT_EQ(estimator.pool()[0].canonical, space.canonical(morphism_root(20)));
  EXPECT_EQ(first.cost.images, 64 + 32 + 32 + 32) << "root training and validation, fine-tuning and validation";
  EXPECT_EQ(first.cost.backward_passes, 4 + 2);
  EXPECT_GE(first.value, 0.0);
  EXPECT_LE(first.value, 1.0);

  const estimate::Estimate second = estimator.estimate(b);
  ASSERT_EQ(estimator.pool().size(), 3U);
  EXPECT_EQ(estimator.pool().back().canonical, space.canonical(b));
  EXPECT_EQ(second.cost.images, 32 + 32) << "inherited from the first child: fine-tuning only";
  EXPECT_LT(second.cost.images, first.cost.images);
  EXPECT_EQ(estimator.pool().back().network->num_parameters(), space.params(b));

  // Pooled architectures cost nothing; the root answers with its own accuracy.
  const estimate::Estimate again = estimator.estimate(a);
  EXPECT_EQ(again.value, first.value);
  EXPECT_EQ(again.cost.images, 0);
  EXPECT_EQ(estimator.estimate(morphism_root(20)).value, estimator.pool()[0].accuracy);
  EXPECT_EQ(estimator.pool().size(), 3U);
}

TEST(Net2NetAccuracy, IsDeterministicForASeed) {
  Net2NetAccuracy one = tiny_estimator();
  Net2NetAccuracy two = tiny_estimator();
  for (const OfaFmnistArch& arch : {grown({Morphism::enlarge_kernel(1)}), grown({Morphism::deepen(0, {3, 6})})}) {
    const estimate::Estimate x = one.estimate(arch);
    const estimate::Estimate y = two.estimate(space::AnyArch(arch));
    EXPECT_EQ(x.value, y.value);
    EXPECT_EQ(x.cost.images, y.cost.images);
    EXPECT_EQ(x.cost.forward_passes, y.cost.forward_passes);
  }
}

TEST(Net2NetAccuracy, EvictsTheOldestNonRootAndKeepsOneRootPerResolution) {
  Net2NetAccuracy estimator = tiny_estimator(2);
  const OfaFmnistArch a = grown({Morphism::widen(1)});
  const OfaFmnistArch b = grown({Morphism::widen(1), Morphism::widen(1)});
  (void)estimator.estimate(a);
  (void)estimator.estimate(b);
  ASSERT_EQ(estimator.pool().size(), 2U);
  EXPECT_TRUE(estimator.pool()[0].root);
  EXPECT_EQ(estimator.pool()[1].canonical, space.canonical(b)) << "a left first";

  OfaFmnistArch other = morphism_root(24);
  other.e[4] = 4;
  (void)estimator.estimate(other);
  ASSERT_EQ(estimator.pool().size(), 2U);
  EXPECT_TRUE(estimator.pool()[0].root);
  EXPECT_TRUE(estimator.pool()[1].root) << "the new resolution's root; both children left";
  EXPECT_EQ(estimator.pool()[1].canonical, space.canonical(morphism_root(24)));
}

TEST(Net2NetAccuracy, RejectsBadSettingsAndOtherSpaces) {
  testing::expect_error_containing<ConfigError>(
      [] { (void)Net2NetAccuracy(images(8, 1), nullptr, tiny_options()); }, "needs training and validation images");
  testing::expect_error_containing<ConfigError>(
      [] { (void)Net2NetAccuracy(images(8, 1), images(8, 2), tiny_options(0)); }, "pool capacity must be at least 1");
  Net2NetAccuracy estimator = tiny_estimator();
  const auto nb201 = space::make_space("nb201");
  Rng rng(1);
  testing::expect_error_containing<ConfigError>([&] { (void)estimator.estimate(nb201.sample(rng)); },
                                                "ofa-fmnist only");
}

}  // namespace
}  // namespace hwnas::inherit
