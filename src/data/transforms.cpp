#include "hwnas/data/transforms.hpp"

#include <algorithm>
#include <utility>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/ops/resize.hpp"

namespace hwnas::data {
namespace {

void check_batch(const Tensor& batch, const char* who) {
  HWNAS_CHECK_SHAPE(batch.dim() == 4, "{}: expected an NCHW batch, got {}", who, batch.shape());
}

}  // namespace

void normalize(Tensor& batch, const std::vector<float>& mean, const std::vector<float>& stddev) {
  check_batch(batch, "normalize");
  const std::int64_t channels = batch.size(1);
  HWNAS_CHECK_SHAPE(static_cast<std::int64_t>(mean.size()) == channels &&
                        static_cast<std::int64_t>(stddev.size()) == channels,
                    "normalize: batch {} has {} channels but got {} means and {} standard deviations", batch.shape(),
                    channels, mean.size(), stddev.size());
  for (float s : stddev) {
    HWNAS_CHECK_CONFIG(s > 0.0F, "normalize: standard deviations must be positive, got {}", stddev);
  }
  const std::int64_t plane = batch.size(2) * batch.size(3);
  for (std::int64_t n = 0; n < batch.size(0); ++n) {
    for (std::int64_t c = 0; c < channels; ++c) {
      float* values = batch.data() + (n * channels + c) * plane;
      const float shift = mean[static_cast<std::size_t>(c)];
      const float scale = 1.0F / stddev[static_cast<std::size_t>(c)];
      for (std::int64_t i = 0; i < plane; ++i) values[i] = (values[i] - shift) * scale;
    }
  }
}

void random_crop(Tensor& batch, std::int64_t padding, Rng& rng) {
  check_batch(batch, "random_crop");
  HWNAS_CHECK_CONFIG(padding >= 0, "random_crop: padding must be non-negative, got {}", padding);
  const std::int64_t channels = batch.size(1);
  const std::int64_t h = batch.size(2);
  const std::int64_t w = batch.size(3);
  const auto range = static_cast<std::uint64_t>(2 * padding + 1);
  std::vector<float> source(static_cast<std::size_t>(h * w));
  for (std::int64_t n = 0; n < batch.size(0); ++n) {
    // Output (y, x) reads input (y + dy, x + dx), zero outside the image.
    const std::int64_t dy = static_cast<std::int64_t>(rng.uniform_int(range)) - padding;
    const std::int64_t dx = static_cast<std::int64_t>(rng.uniform_int(range)) - padding;
    const std::int64_t x_lo = std::clamp<std::int64_t>(-dx, 0, w);
    const std::int64_t x_hi = std::clamp<std::int64_t>(w - dx, 0, w);
    for (std::int64_t c = 0; c < channels; ++c) {
      float* plane = batch.data() + (n * channels + c) * h * w;
      std::copy(plane, plane + h * w, source.begin());
      std::fill(plane, plane + h * w, 0.0F);
      for (std::int64_t y = 0; y < h; ++y) {
        const std::int64_t sy = y + dy;
        if (sy < 0 || sy >= h || x_lo >= x_hi) continue;
        std::copy(source.begin() + sy * w + x_lo + dx, source.begin() + sy * w + x_hi + dx, plane + y * w + x_lo);
      }
    }
  }
}

void random_horizontal_flip(Tensor& batch, Rng& rng, double p) {
  check_batch(batch, "random_horizontal_flip");
  HWNAS_CHECK_CONFIG(p >= 0.0 && p <= 1.0, "random_horizontal_flip: probability must lie in [0, 1], got {}", p);
  const std::int64_t rows = batch.size(1) * batch.size(2);
  const std::int64_t w = batch.size(3);
  for (std::int64_t n = 0; n < batch.size(0); ++n) {
    if (!rng.bernoulli(p)) continue;
    float* image = batch.data() + n * rows * w;
    for (std::int64_t r = 0; r < rows; ++r) std::reverse(image + r * w, image + (r + 1) * w);
  }
}

void resize(Tensor& batch, std::int64_t height, std::int64_t width) {
  check_batch(batch, "resize");
  HWNAS_CHECK_CONFIG(height > 0 && width > 0, "resize: size must be positive, got {}x{} for batch {}", height, width,
                     batch.shape());
  // Checked here too so that a failure leaves the batch untouched.
  HWNAS_CHECK_SHAPE(batch.size(2) > 0 && batch.size(3) > 0, "resize: batch {} has an empty plane", batch.shape());
  if (batch.size(2) == height && batch.size(3) == width) return;
  const NoGradGuard no_grad;
  const Variable images(std::move(batch));
  batch = std::move(resize_bilinear(images, height, width).value());
}

}  // namespace hwnas::data
