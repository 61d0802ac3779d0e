#pragma once
/// \file
/// The architecture code of one block of `ofa-fmnist`: what the SMASH
/// generator sees of a block when it makes the block's weights. Six one-hot
/// groups, 21 values, in this order:
///
/// | group                 | values | choices           |
/// |-----------------------|--------|-------------------|
/// | stage                 | 4      | 0, 1, 2, 3        |
/// | position in the stage | 4      | 0, 1, 2, 3        |
/// | kernel size           | 3      | 3, 5, 7           |
/// | expand ratio          | 3      | 3, 4, 6           |
/// | the stage's depth     | 3      | 2, 3, 4           |
/// | input resolution      | 4      | 20, 24, 28, 32    |
///
/// Stage and position say which stored shape the block has; depth and
/// resolution let the weights depend on the block's context (SMASH conditions
/// every generated weight on the whole architecture, of which this is the
/// part that decides what the block's input looks like). Only blocks the
/// architecture runs (position < depth) have a code.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hwnas/core/tensor.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace hwnas::hypernet {

/// Values in a block's code.
inline constexpr std::int64_t block_code_size = 21;

/// The blocks `arch` runs (each stage's first d), as indices 0..15 in network order.
[[nodiscard]] std::vector<std::size_t> active_blocks(const space::OfaFmnistArch& arch);

/// The codes of `blocks` of `arch`, one row each: [blocks.size(), block_code_size].
/// ConfigError for a block `arch` does not run or a choice outside the space.
template <Scalar T>
[[nodiscard]] BasicTensor<T> block_codes(const space::OfaFmnistArch& arch, std::span<const std::size_t> blocks);

/// Every code a block of the space can have (each block, kernel size, expand
/// ratio, a depth that runs the block, resolution): 1296 rows.
template <Scalar T>
[[nodiscard]] BasicTensor<T> all_block_codes();

}  // namespace hwnas::hypernet
