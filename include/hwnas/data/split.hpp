#pragma once
/// \file
/// Subsets of an in-memory dataset: picking samples by index, and a seeded
/// train/validation split (e.g. 55,000 / 5,000 of the Fashion-MNIST training set).

#include <cstdint>
#include <span>
#include <vector>

#include "hwnas/core/random.hpp"
#include "hwnas/data/idx.hpp"

namespace hwnas::data {

/// The indices 0..n-1 in an order drawn from `rng` (Fisher-Yates with
/// `Rng::uniform_int`, so the order is the same on every machine).
[[nodiscard]] std::vector<std::int64_t> random_permutation(std::int64_t n, Rng& rng);

/// Throws ShapeError naming `who` unless `data` holds NCHW images with one
/// label per image.
void check_labelled_images(const LabelledImages& data, const char* who);

/// The samples of `data` at `indices`, in that order (repeats allowed);
/// ShapeError for an index outside [0, N).
[[nodiscard]] LabelledImages subset(const LabelledImages& data, std::span<const std::int64_t> indices);

/// The two parts of a dataset split for model selection.
struct TrainValidation {
  LabelledImages train;
  LabelledImages validation;
};

/// Splits `data` into a validation part of `validation_size` samples drawn at
/// random (seeded by `seed`) and a training part with the rest. Both keep the
/// original order of their samples, so the split depends only on the seed.
/// ConfigError unless 0 <= validation_size <= N.
[[nodiscard]] TrainValidation split_off(const LabelledImages& data, std::int64_t validation_size,
                                        std::uint64_t seed);

}  // namespace hwnas::data
