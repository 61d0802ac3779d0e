// The real supernet end to end, briefly: progressive shrinking through every
// phase of a tiny recipe on synthetic 28 x 28 images, then subnets scored with
// inherited weights.

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "hwnas/data/synthetic.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/supernet/ofa_supernet.hpp"
#include "hwnas/supernet/progressive_shrinking.hpp"
#include "hwnas/supernet/supernet_accuracy.hpp"

namespace hwnas::supernet {
namespace {

static_assert(ElasticSupernet<OfaSupernet>);

TEST(OfaSupernetTraining, ShrinksProgressivelyAndScoresSubnets) {
  const auto images =
      data::make_synthetic(data::SyntheticSpec{}.samples(24).channels(1).height(28).width(28).classes(10).seed(3));
  auto supernet = std::make_shared<OfaSupernet>();
  Rng rng(1);
  nn::init::default_init(*supernet, rng);

  Recipe recipe = default_recipe();
  recipe.batch_size = 8;
  for (Phase& phase : recipe.phases) phase.epochs = 1.0 / 3.0;  // one step each
  ProgressiveShrinking ps(supernet, recipe);
  std::int64_t steps = 0;
  ASSERT_TRUE(ps.run(images, [&](const ShrinkingProgress& p) {
    EXPECT_TRUE(std::isfinite(p.loss)) << p.phase_name;
    ++steps;
    return true;
  }));
  EXPECT_EQ(steps, 6);

  const SupernetAccuracy<OfaSupernet> estimator(supernet, std::make_shared<const data::LabelledImages>(images),
                                                train::recalibration_batches(images, 16, 8, 0));
  for (const auto& arch : {space::OfaFmnistSpace{}.largest(), space::OfaFmnistSpace{}.smallest()}) {
    const double accuracy = estimator.estimate(arch).value;
    EXPECT_GE(accuracy, 0.0);
    EXPECT_LE(accuracy, 1.0);
  }
}

}  // namespace
}  // namespace hwnas::supernet
