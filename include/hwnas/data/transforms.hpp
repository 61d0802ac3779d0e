#pragma once
/// \file
/// Batch transforms for image tensors [N, C, H, W], applied in place so they
/// compose inside a loader's transform hook:
///
///     DataLoader loader(train, options, [](Tensor& images, Rng& rng) {
///       random_crop(images, 4, rng);
///       random_horizontal_flip(images, rng);
///       normalize(images, {0.49F, 0.48F, 0.45F}, {0.25F, 0.24F, 0.26F});
///     });
///
/// Random transforms draw from the generator they are given, image by image
/// in batch order, so a seeded generator gives the same result everywhere.
/// They work on float tensors, the type datasets are held in.

#include <cstdint>
#include <vector>

#include "hwnas/core/random.hpp"
#include "hwnas/core/tensor.hpp"

namespace hwnas::data {

/// x = (x - mean[c]) / stddev[c] for every channel c. ShapeError unless both
/// lists hold one value per channel; ConfigError for a non-positive stddev.
void normalize(Tensor& batch, const std::vector<float>& mean, const std::vector<float>& stddev);

/// Pads every image with `padding` zeros on each side and crops it back to
/// H x W at an offset drawn uniformly in [0, 2 * padding] along each axis
/// (rows first), independently per image. ConfigError for negative padding.
void random_crop(Tensor& batch, std::int64_t padding, Rng& rng);

/// Mirrors each image left-right with probability `p` (one draw per image).
/// ConfigError unless 0 <= p <= 1.
void random_horizontal_flip(Tensor& batch, Rng& rng, double p = 0.5);

/// Resizes every image to height x width by bilinear interpolation with
/// half-pixel centres (`resize_bilinear`). ConfigError for a non-positive size.
void resize(Tensor& batch, std::int64_t height, std::int64_t width);

/// Resizes every image to size x size.
inline void resize(Tensor& batch, std::int64_t size) { resize(batch, size, size); }

}  // namespace hwnas::data
