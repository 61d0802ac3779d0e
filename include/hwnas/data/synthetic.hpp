#pragma once
/// \file
/// A seeded synthetic labelled-image dataset, for tests and for checks that
/// must run without downloaded data. Class k is a stripe pattern with its own
/// orientation (k * pi / classes) and frequency (2 + k % 3 cycles across the
/// image), phase-shifted per channel, plus Gaussian noise; pixels are clamped
/// to [0, 1]. At the default noise even a nearest-class-mean classifier tells
/// the classes apart.

#include <cstdint>

#include "hwnas/data/idx.hpp"

namespace hwnas::data {

/// What to generate: `SyntheticSpec{}.samples(512).channels(3).height(8).width(8).classes(4).seed(1)`.
class SyntheticSpec {
 public:
  SyntheticSpec& samples(std::int64_t n) {
    samples_ = n;
    return *this;
  }
  SyntheticSpec& channels(std::int64_t c) {
    channels_ = c;
    return *this;
  }
  SyntheticSpec& height(std::int64_t h) {
    height_ = h;
    return *this;
  }
  SyntheticSpec& width(std::int64_t w) {
    width_ = w;
    return *this;
  }
  SyntheticSpec& classes(std::int64_t k) {
    classes_ = k;
    return *this;
  }
  SyntheticSpec& seed(std::uint64_t s) {
    seed_ = s;
    return *this;
  }
  /// Standard deviation of the per-pixel Gaussian noise.
  SyntheticSpec& noise(double stddev) {
    noise_ = stddev;
    return *this;
  }

  [[nodiscard]] std::int64_t samples() const { return samples_; }
  [[nodiscard]] std::int64_t channels() const { return channels_; }
  [[nodiscard]] std::int64_t height() const { return height_; }
  [[nodiscard]] std::int64_t width() const { return width_; }
  [[nodiscard]] std::int64_t classes() const { return classes_; }
  [[nodiscard]] std::uint64_t seed() const { return seed_; }
  [[nodiscard]] double noise() const { return noise_; }

 private:
  std::int64_t samples_ = 256;
  std::int64_t channels_ = 1;
  std::int64_t height_ = 8;
  std::int64_t width_ = 8;
  std::int64_t classes_ = 10;
  std::uint64_t seed_ = 0;
  double noise_ = 0.1;
};

/// Generates the dataset `spec` describes: images [samples, channels, height,
/// width] in [0, 1], labels balanced over the classes (counts differ by at most
/// one) in a seeded random order. The same spec gives bit-identical data on
/// every machine. ConfigError for non-positive sizes or negative noise.
[[nodiscard]] LabelledImages make_synthetic(const SyntheticSpec& spec);

}  // namespace hwnas::data
