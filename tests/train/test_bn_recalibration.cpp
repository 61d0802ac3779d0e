// Batch-norm recalibration: running statistics become the plain averages of
// the per-batch mean and biased variance, later batch norms see inputs
// normalised with batch statistics, the mode is kept, and the batches are a
// seeded subset.

#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/data/synthetic.hpp"
#include "hwnas/nn.hpp"
#include "hwnas/train/bn_recalibration.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"

namespace hwnas::train {
namespace {

TEST(BnRecalibration, RunningStatisticsAreAveragesOfBatchMeansAndBiasedVariances) {
  auto net = std::make_shared<nn::BasicSequential<double>>();
  auto bn = net->emplace_back<nn::BasicBatchNorm2d<double>>(2);
  net->eval();
  Rng rng(3);
  std::vector<TensorD> batches{testing::random_tensor({4, 2, 3, 3}, rng, -1.0, 3.0),
                               testing::random_tensor({2, 2, 3, 3}, rng, 0.0, 1.0)};
  recalibrate_batch_norm(*net, batches);
  EXPECT_FALSE(net->is_training()) << "the mode is kept";
  for (std::int64_t c = 0; c < 2; ++c) {
    double mean_sum = 0.0;
    double var_sum = 0.0;
    for (const auto& b : batches) {
      double sum = 0.0;
      double squares = 0.0;
      const auto n = static_cast<double>(b.size(0) * 9);
      for (std::int64_t i = 0; i < b.size(0); ++i)
        for (std::int64_t p = 0; p < 9; ++p) sum += b.data()[(i * 2 + c) * 9 + p];
      const double mean = sum / n;
      for (std::int64_t i = 0; i < b.size(0); ++i)
        for (std::int64_t p = 0; p < 9; ++p) squares += std::pow(b.data()[(i * 2 + c) * 9 + p] - mean, 2);
      mean_sum += mean;
      var_sum += squares / n;  // biased
    }
    EXPECT_NEAR(bn->running_mean().data()[c], mean_sum / 2.0, 1e-12);
    EXPECT_NEAR(bn->running_var().data()[c], var_sum / 2.0, 1e-12);
  }
}

TEST(BnRecalibration, OneBatchMakesEvaluationMatchTrainingModeOnIt) {
  // Conv -> BN -> ReLU -> conv -> BN: the second batch norm must see inputs
  // normalised by the first one's batch statistics, as in training.
  auto net = std::make_shared<nn::BasicSequential<double>>();
  net->emplace_back<nn::BasicConv2d<double>>(nn::Conv2dSpec{2, 4, 3}.padding(1));
  net->emplace_back<nn::BasicBatchNorm2d<double>>(4);
  net->emplace_back<nn::BasicReLU<double>>();
  net->emplace_back<nn::BasicConv2d<double>>(nn::Conv2dSpec{4, 3, 3}.padding(1));
  net->emplace_back<nn::BasicBatchNorm2d<double>>(3);
  Rng rng(5);
  nn::init::default_init(*net, rng);
  const TensorD batch = testing::random_tensor({6, 2, 5, 5}, rng);
  net->train();
  const TensorD trained = (*net)(VariableD(batch)).value();
  net->eval();
  recalibrate_batch_norm(*net, std::vector{batch});
  testing::expect_tensors_near((*net)(VariableD(batch)).value(), trained, 1e-10);
}

TEST(BnRecalibration, BatchesAreASeededSubset) {
  const auto data = data::make_synthetic(data::SyntheticSpec{}.samples(450));
  const auto batches = recalibration_batches(data, 450, 200, 7);
  ASSERT_EQ(batches.size(), 3U);
  EXPECT_EQ(batches[0].size(0), 200);
  EXPECT_EQ(batches[2].size(0), 50);
  const auto again = recalibration_batches(data, 450, 200, 7);
  testing::expect_tensors_near(batches[1], again[1], 0.0);
  const auto other = recalibration_batches(data, 100, 100, 8);
  EXPECT_FALSE(other[0].data()[0] == batches[0].data()[0] && other[0].data()[1] == batches[0].data()[1]);
  testing::expect_error_containing<ConfigError>([&] { (void)recalibration_batches(data, 451, 200, 7); },
                                                "needs 1 to 450 images");
  auto net = std::make_shared<nn::Sequential>();
  testing::expect_error_containing<ConfigError>([&] { recalibrate_batch_norm(*net, std::vector<Tensor>{}); },
                                                "at least one batch");
}

}  // namespace
}  // namespace hwnas::train
