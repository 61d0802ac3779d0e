#include "hwnas/data/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/split.hpp"

namespace hwnas::data {

LabelledImages make_synthetic(const SyntheticSpec& spec) {
  HWNAS_CHECK_CONFIG(spec.samples() > 0 && spec.channels() > 0 && spec.height() > 0 && spec.width() > 0,
                     "make_synthetic: samples, channels, height and width must be positive, got {} x {} x {} x {}",
                     spec.samples(), spec.channels(), spec.height(), spec.width());
  HWNAS_CHECK_CONFIG(spec.classes() > 0, "make_synthetic: needs at least one class, got {}", spec.classes());
  HWNAS_CHECK_CONFIG(spec.noise() >= 0.0, "make_synthetic: noise must be non-negative, got {}", spec.noise());

  const std::int64_t n = spec.samples();
  const std::int64_t c = spec.channels();
  const std::int64_t h = spec.height();
  const std::int64_t w = spec.width();
  const std::int64_t k = spec.classes();
  constexpr double pi = std::numbers::pi;

  // The noise-free pattern of every class, computed once.
  std::vector<double> patterns(static_cast<std::size_t>(k * c * h * w));
  for (std::int64_t label = 0; label < k; ++label) {
    const double angle = pi * static_cast<double>(label) / static_cast<double>(k);
    const double cycles = 2.0 + static_cast<double>(label % 3);
    const double dx = std::cos(angle);
    const double dy = std::sin(angle);
    for (std::int64_t ch = 0; ch < c; ++ch) {
      const double phase = pi * static_cast<double>(ch) / static_cast<double>(c);
      for (std::int64_t y = 0; y < h; ++y) {
        const double v = (static_cast<double>(y) + 0.5) / static_cast<double>(h);
        for (std::int64_t x = 0; x < w; ++x) {
          const double u = (static_cast<double>(x) + 0.5) / static_cast<double>(w);
          patterns[static_cast<std::size_t>(((label * c + ch) * h + y) * w + x)] =
              0.5 + 0.4 * std::sin(2.0 * pi * cycles * (u * dx + v * dy) + phase);
        }
      }
    }
  }

  Rng rng(spec.seed());
  LabelledImages out;
  out.num_classes = k;
  out.labels.resize(static_cast<std::size_t>(n));
  const auto order = random_permutation(n, rng);
  for (std::int64_t i = 0; i < n; ++i) {
    out.labels[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = static_cast<std::int32_t>(i % k);
  }

  const std::int64_t sample = c * h * w;
  out.images = Tensor::uninitialized(Shape{n, c, h, w});
  for (std::int64_t i = 0; i < n; ++i) {
    const double* pattern = patterns.data() + out.labels[static_cast<std::size_t>(i)] * sample;
    float* pixels = out.images.data() + i * sample;
    for (std::int64_t p = 0; p < sample; ++p) {
      pixels[p] = static_cast<float>(std::clamp(pattern[p] + spec.noise() * rng.normal(), 0.0, 1.0));
    }
  }
  return out;
}

}  // namespace hwnas::data
