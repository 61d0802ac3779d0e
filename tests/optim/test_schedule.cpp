// Learning-rate schedules against hand-computed values.

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "hwnas/optim/schedule.hpp"

namespace hwnas::optim {
namespace {

static_assert(LrSchedule<CosineSchedule>);
static_assert(LrSchedule<StepDecaySchedule>);
static_assert(LrSchedule<ConstantSchedule>);

TEST(CosineSchedule, WarmupThenCosineToZero) {
  const CosineSchedule s(0.1, 10, 2);                                          // 2 warm-up steps, then 8 cosine steps
  EXPECT_DOUBLE_EQ(s.lr(0), 0.05);                                             // 1/2 of the way
  EXPECT_DOUBLE_EQ(s.lr(1), 0.1);                                              // warm-up ends at base
  EXPECT_DOUBLE_EQ(s.lr(2), 0.1);                                              // cosine at t = 0
  EXPECT_DOUBLE_EQ(s.lr(4), 0.05 * (1.0 + std::cos(std::numbers::pi / 4.0)));  // 0.0853553...
  EXPECT_NEAR(s.lr(6), 0.05, 1e-15);                                           // half-way: cos = 0
  EXPECT_DOUBLE_EQ(s.lr(9), 0.05 * (1.0 + std::cos(7.0 * std::numbers::pi / 8.0)));  // 0.0038060...
  EXPECT_NEAR(s.lr(10), 0.0, 1e-18);
  EXPECT_NEAR(s.lr(1000), 0.0, 1e-18);
}

TEST(CosineSchedule, WarmupFromAStartRate) {
  const CosineSchedule s(0.1, 10, 2, 0.02);
  EXPECT_DOUBLE_EQ(s.lr(0), 0.06);  // 0.02 + 1/2 * (0.1 - 0.02)
  EXPECT_DOUBLE_EQ(s.lr(1), 0.1);
}

TEST(CosineSchedule, WithoutWarmup) {
  const CosineSchedule s(1.0, 4);
  EXPECT_DOUBLE_EQ(s.lr(0), 1.0);
  EXPECT_DOUBLE_EQ(s.lr(1), 0.5 * (1.0 + std::sqrt(0.5)));
  EXPECT_NEAR(s.lr(2), 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(s.lr(3), 0.5 * (1.0 - std::sqrt(0.5)));
}

TEST(CosineSchedule, FromEpochs) {
  const auto s = CosineSchedule::from_epochs(0.1, 5, 2, 1);
  EXPECT_EQ(s.total_steps(), 10);
  EXPECT_EQ(s.warmup_steps(), 2);
  for (std::int64_t step = 0; step < 12; ++step) EXPECT_EQ(s.lr(step), CosineSchedule(0.1, 10, 2).lr(step));
}

TEST(CosineSchedule, InvalidArguments) {
  EXPECT_THROW(CosineSchedule(0.1, 5, 5), ConfigError);
  EXPECT_THROW(CosineSchedule(-0.1, 5), ConfigError);
  EXPECT_THROW(CosineSchedule(0.1, 5, -1), ConfigError);
  EXPECT_THROW((void)CosineSchedule(0.1, 5).lr(-1), ConfigError);
  EXPECT_THROW((void)CosineSchedule::from_epochs(0.1, 5, 0), ConfigError);
}

TEST(StepDecaySchedule, MultipliesByGammaEveryPeriod) {
  const StepDecaySchedule per_epoch(0.1, 0.1, 30);
  EXPECT_DOUBLE_EQ(per_epoch.lr(0), 0.1);
  EXPECT_DOUBLE_EQ(per_epoch.lr(29), 0.1);
  EXPECT_DOUBLE_EQ(per_epoch.lr(30), 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(per_epoch.lr(60), 0.1 * 0.1 * 0.1);
  const StepDecaySchedule per_step(1.0, 0.5, 2, 10);  // halve every 2 epochs of 10 steps
  EXPECT_DOUBLE_EQ(per_step.lr(19), 1.0);
  EXPECT_DOUBLE_EQ(per_step.lr(20), 0.5);
  EXPECT_DOUBLE_EQ(per_step.lr(45), 0.25);
  EXPECT_THROW(StepDecaySchedule(0.1, 0.1, 0), ConfigError);
  EXPECT_THROW(StepDecaySchedule(0.1, -0.1, 1), ConfigError);
}

TEST(ConstantSchedule, SameEveryStep) {
  const ConstantSchedule s(0.3);
  EXPECT_EQ(s.lr(0), 0.3);
  EXPECT_EQ(s.lr(12345), 0.3);
  EXPECT_THROW(ConstantSchedule(-1.0), ConfigError);
}

}  // namespace
}  // namespace hwnas::optim
