#include "hwnas/hypernet/block_code.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace hwnas::hypernet {
namespace {

using Arch = space::OfaFmnistArch;
using Space = space::OfaFmnistSpace;

/// Position of `value` among `choices`; ConfigError naming `what` if absent.
template <std::size_t N>
std::int64_t choice_index(const std::array<std::int64_t, N>& choices, std::int64_t value, const char* what) {
  const auto it = std::find(choices.begin(), choices.end(), value);
  HWNAS_CHECK_CONFIG(it != choices.end(), "SMASH block code: {} {} is not a choice of ofa-fmnist", what, value);
  return it - choices.begin();
}

/// Writes the code of block `block` of `arch` into `row` (zeros on entry).
template <Scalar T>
void write_code(const Arch& arch, std::size_t block, T* row) {
  HWNAS_CHECK_CONFIG(block < Arch::blocks, "SMASH block code: block {} does not exist (ofa-fmnist has {})", block,
                     Arch::blocks);
  const std::size_t stage = block / Arch::blocks_per_stage;
  const auto position = static_cast<std::int64_t>(block % Arch::blocks_per_stage);
  HWNAS_CHECK_CONFIG(position < arch.d[stage],
                     "SMASH block code: block {} is not run by an architecture of depth {} in stage {}", block,
                     arch.d[stage], stage);
  const std::array<std::int64_t, 6> hot{static_cast<std::int64_t>(stage),
                                        position,
                                        choice_index(Space::kernel_sizes, arch.ks[block], "kernel size"),
                                        choice_index(Space::expand_ratios, arch.e[block], "expand ratio"),
                                        choice_index(Space::depths, arch.d[stage], "depth"),
                                        choice_index(Space::resolutions, arch.r, "resolution")};
  const std::array<std::int64_t, 6> group_sizes{
      Arch::stages,         Arch::blocks_per_stage,   Space::kernel_sizes.size(), Space::expand_ratios.size(),
      Space::depths.size(), Space::resolutions.size()};
  std::int64_t start = 0;
  for (std::size_t g = 0; g < hot.size(); ++g) {
    row[start + hot[g]] = T{1};
    start += group_sizes[g];
  }
  HWNAS_ASSERT(start == block_code_size);
}

}  // namespace

std::vector<std::size_t> active_blocks(const Arch& arch) {
  std::vector<std::size_t> blocks;
  for (std::size_t s = 0; s < Arch::stages; ++s)
    for (std::int64_t b = 0; b < std::min<std::int64_t>(arch.d[s], Arch::blocks_per_stage); ++b)
      blocks.push_back(s * Arch::blocks_per_stage + static_cast<std::size_t>(b));
  return blocks;
}

template <Scalar T>
BasicTensor<T> block_codes(const Arch& arch, std::span<const std::size_t> blocks) {
  BasicTensor<T> codes(Shape{static_cast<std::int64_t>(blocks.size()), block_code_size});
  for (std::size_t i = 0; i < blocks.size(); ++i)
    write_code(arch, blocks[i], codes.data() + static_cast<std::int64_t>(i) * block_code_size);
  return codes;
}

template <Scalar T>
BasicTensor<T> all_block_codes() {
  std::vector<std::pair<Arch, std::size_t>> cases;
  for (std::size_t block = 0; block < Arch::blocks; ++block)
    for (std::int64_t k : Space::kernel_sizes)
      for (std::int64_t e : Space::expand_ratios)
        for (std::int64_t d : Space::depths)
          for (std::int64_t r : Space::resolutions) {
            Arch arch = Space{}.largest();
            if (static_cast<std::int64_t>(block % Arch::blocks_per_stage) >= d) continue;
            arch.ks[block] = k;
            arch.e[block] = e;
            arch.d[block / Arch::blocks_per_stage] = d;
            arch.r = r;
            cases.emplace_back(arch, block);
          }
  BasicTensor<T> codes(Shape{static_cast<std::int64_t>(cases.size()), block_code_size});
  for (std::size_t i = 0; i < cases.size(); ++i)
    write_code(cases[i].first, cases[i].second, codes.data() + static_cast<std::int64_t>(i) * block_code_size);
  return codes;
}

template BasicTensor<float> block_codes<float>(const Arch&, std::span<const std::size_t>);
template BasicTensor<double> block_codes<double>(const Arch&, std::span<const std::size_t>);
template BasicTensor<float> all_block_codes<float>();
template BasicTensor<double> all_block_codes<double>();

}  // namespace hwnas::hypernet
