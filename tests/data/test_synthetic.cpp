#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/data/synthetic.hpp"
#include "support/expect.hpp"

namespace hwnas::data {
namespace {

SyntheticSpec small_spec() { return SyntheticSpec{}.samples(60).channels(2).height(6).width(5).classes(4).seed(11); }

/// The mean image of each class, flattened.
std::vector<std::vector<double>> class_means(const LabelledImages& set) {
  const std::int64_t sample = set.images.numel() / set.images.size(0);
  std::vector<std::vector<double>> means(static_cast<std::size_t>(set.num_classes),
                                         std::vector<double>(static_cast<std::size_t>(sample)));
  std::vector<int> counts(static_cast<std::size_t>(set.num_classes));
  for (std::size_t i = 0; i < set.labels.size(); ++i) {
    auto& mean = means[static_cast<std::size_t>(set.labels[i])];
    ++counts[static_cast<std::size_t>(set.labels[i])];
    for (std::int64_t p = 0; p < sample; ++p) {
      mean[static_cast<std::size_t>(p)] += set.images[static_cast<std::int64_t>(i) * sample + p];
    }
  }
  for (std::size_t k = 0; k < means.size(); ++k) {
    for (auto& v : means[k]) v /= counts[k];
  }
  return means;
}

TEST(Synthetic, ShapesAndRange) {
  const LabelledImages set = make_synthetic(small_spec());
  EXPECT_EQ(set.images.shape(), (Shape{60, 2, 6, 5}));
  EXPECT_EQ(set.labels.size(), 60U);
  EXPECT_EQ(set.num_classes, 4);
  EXPECT_GE(set.images.array().minCoeff(), 0.0F);
  EXPECT_LE(set.images.array().maxCoeff(), 1.0F);
}

TEST(Synthetic, SameSeedSameDataOtherSeedOtherData) {
  const LabelledImages a = make_synthetic(small_spec());
  const LabelledImages b = make_synthetic(small_spec());
  EXPECT_EQ(a.images, b.images);
  EXPECT_EQ(a.labels, b.labels);
  const LabelledImages c = make_synthetic(small_spec().seed(12));
  EXPECT_FALSE(c.images == a.images);
  EXPECT_NE(c.labels, a.labels);
}

TEST(Synthetic, ClassesAreBalanced) {
  const LabelledImages set = make_synthetic(small_spec().samples(62));
  std::vector<int> counts(4);
  for (auto label : set.labels) {
    ASSERT_GE(label, 0);
    ASSERT_LT(label, 4);
    ++counts[static_cast<std::size_t>(label)];
  }
  EXPECT_LE(*std::max_element(counts.begin(), counts.end()) - *std::min_element(counts.begin(), counts.end()), 1);
  // Labels come in a shuffled order, not round-robin.
  EXPECT_FALSE(std::is_sorted(set.labels.begin(), set.labels.end()));
}

TEST(Synthetic, ClassesDifferMoreThanSamplesOfOneClass) {
  const LabelledImages set = make_synthetic(SyntheticSpec{}.samples(200).height(8).width(8).classes(5).seed(3));
  const auto means = class_means(set);
  const auto distance = [](const std::vector<double>& x, const std::vector<double>& y) {
    double sum = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += (x[i] - y[i]) * (x[i] - y[i]);
    return std::sqrt(sum);
  };
  // Noise of 0.1 per pixel over 64 pixels puts a sample about 0.8 from its class mean.
  for (std::size_t a = 0; a < means.size(); ++a) {
    for (std::size_t b = a + 1; b < means.size(); ++b) EXPECT_GT(distance(means[a], means[b]), 1.5) << a << " " << b;
  }
  // A nearest-class-mean classifier gets nearly every sample right: the classes are learnable.
  int correct = 0;
  for (std::size_t i = 0; i < set.labels.size(); ++i) {
    std::vector<double> x(64);
    for (std::size_t p = 0; p < 64; ++p) x[p] = set.images[static_cast<std::int64_t>(i * 64 + p)];
    std::size_t best = 0;
    for (std::size_t k = 1; k < means.size(); ++k) {
      if (distance(x, means[k]) < distance(x, means[best])) best = k;
    }
    correct += static_cast<int>(best) == set.labels[i];
  }
  EXPECT_GE(correct, 195);
}

TEST(Synthetic, NoiseFreeSamplesOfAClassAreIdentical) {
  const LabelledImages set = make_synthetic(small_spec().noise(0.0));
  const std::int64_t sample = 2 * 6 * 5;
  for (std::size_t i = 1; i < set.labels.size(); ++i) {
    if (set.labels[i] != set.labels[0]) continue;
    for (std::int64_t p = 0; p < sample; ++p) {
      ASSERT_EQ(set.images[static_cast<std::int64_t>(i) * sample + p], set.images[p]);
    }
  }
}

TEST(Synthetic, BadSpecsAreConfigErrors) {
  testing::expect_error_containing<ConfigError>([] { (void)make_synthetic(SyntheticSpec{}.samples(0)); },
                                                "must be positive");
  testing::expect_error_containing<ConfigError>([] { (void)make_synthetic(SyntheticSpec{}.width(-1)); },
                                                "must be positive");
  testing::expect_error_containing<ConfigError>([] { (void)make_synthetic(SyntheticSpec{}.classes(0)); },
                                                "at least one class");
  testing::expect_error_containing<ConfigError>([] { (void)make_synthetic(SyntheticSpec{}.noise(-0.1)); },
                                                "non-negative");
}

}  // namespace
}  // namespace hwnas::data
