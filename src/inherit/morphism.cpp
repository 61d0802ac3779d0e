#include "hwnas/inherit/morphism.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"

namespace hwnas::inherit {
namespace {

using space::OfaFmnistArch;
using space::OfaFmnistSpace;

constexpr auto blocks_per_stage = static_cast<std::int64_t>(OfaFmnistArch::blocks_per_stage);
constexpr auto block_count = static_cast<std::int64_t>(OfaFmnistArch::blocks);
constexpr auto stage_count = static_cast<std::int64_t>(OfaFmnistArch::stages);

/// Position of `value` in `values`, or -1.
template <std::size_t N>
std::int64_t position(const std::array<std::int64_t, N>& values, std::int64_t value) {
  const auto it = std::ranges::find(values, value);
  return it == values.end() ? -1 : static_cast<std::int64_t>(it - values.begin());
}

/// The value after `value` in `values`, or nullopt when it is the last.
template <std::size_t N>
std::optional<std::int64_t> next(const std::array<std::int64_t, N>& values, std::int64_t value) {
  const std::int64_t i = position(values, value);
  if (i < 0 || i + 1 >= static_cast<std::int64_t>(N)) return std::nullopt;
  return values[static_cast<std::size_t>(i + 1)];
}

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

bool is_active(const OfaFmnistArch& arch, std::int64_t block) {
  return block % blocks_per_stage < arch.d[at(block / blocks_per_stage)];
}

std::int64_t block_index(std::int64_t stage, std::int64_t position_in_stage) {
  return stage * blocks_per_stage + position_in_stage;
}

/// ConfigError unless `m` names an active block of `arch`.
void check_block(const OfaFmnistArch& arch, const Morphism& m) {
  HWNAS_CHECK_CONFIG(m.index >= 0 && m.index < block_count, "{}: there are blocks 0 to {}", to_string(m),
                     block_count - 1);
  const std::int64_t stage = m.index / blocks_per_stage;
  HWNAS_CHECK_CONFIG(is_active(arch, m.index), "{}: the block is inactive (stage {} has depth {})", to_string(m), stage,
                     arch.d[at(stage)]);
}

/// Moves the choice of `m`'s block in `values` (a field of `arch`) to the
/// next of `choices`; ConfigError for an inactive block or the largest choice.
template <std::size_t N>
void step_up(const OfaFmnistArch& arch, const Morphism& m, std::array<std::int64_t, OfaFmnistArch::blocks>& values,
             const std::array<std::int64_t, N>& choices, std::string_view what) {
  check_block(arch, m);
  const auto larger = next(choices, values[at(m.index)]);
  HWNAS_CHECK_CONFIG(larger.has_value(), "{}: {} {} is already the largest", to_string(m), what,
                     values[at(m.index)]);
  values[at(m.index)] = *larger;
}

}  // namespace

std::string_view to_string(MorphismKind kind) {
  switch (kind) {
    case MorphismKind::widen: return "widen";
    case MorphismKind::deepen: return "deepen";
    case MorphismKind::enlarge_kernel: return "enlarge_kernel";
  }
  return "?";
}

MorphismKind morphism_kind(std::string_view name) {
  for (const auto kind : {MorphismKind::widen, MorphismKind::deepen, MorphismKind::enlarge_kernel})
    if (to_string(kind) == name) return kind;
  throw ConfigError(fmt::format("morphism: unknown kind '{}' (known: widen, deepen, enlarge_kernel)", name));
}

std::string to_string(const Morphism& m) {
  switch (m.kind) {
    case MorphismKind::widen: return fmt::format("widen block {}", m.index);
    case MorphismKind::enlarge_kernel: return fmt::format("enlarge kernel of block {}", m.index);
    case MorphismKind::deepen:
      return fmt::format("deepen stage {} with k{}e{}", m.index, m.block.kernel_size, m.block.expand);
  }
  return "?";
}

void to_json(nlohmann::json& j, const Morphism& m) {
  j = {{"kind", to_string(m.kind)}};
  if (m.kind == MorphismKind::deepen) {
    j["stage"] = m.index;
    j["ks"] = m.block.kernel_size;
    j["e"] = m.block.expand;
  } else {
    j["block"] = m.index;
  }
}

void from_json(const nlohmann::json& j, Morphism& m) {
  HWNAS_CHECK_CONFIG(j.is_object() && j.contains("kind") && j["kind"].is_string(),
                     "morphism: expected an object with a 'kind', got {}", j.dump());
  const auto read = [&](const char* field) {
    HWNAS_CHECK_CONFIG(j.contains(field) && j[field].is_number_integer(),
                       "morphism: field '{}' must be an integer in {}", field, j.dump());
    return j[field].get<std::int64_t>();
  };
  Morphism out;
  out.kind = morphism_kind(j["kind"].get<std::string>());
  if (out.kind == MorphismKind::deepen) {
    out.index = read("stage");
    out.block = {read("ks"), read("e")};
  } else {
    out.index = read("block");
  }
  m = out;
}

OfaFmnistArch apply(const OfaFmnistArch& arch, const Morphism& m) {
  OfaFmnistArch out = arch;
  switch (m.kind) {
    case MorphismKind::widen:
      step_up(out, m, out.e, OfaFmnistSpace::expand_ratios, "expand ratio");
      return out;
    case MorphismKind::enlarge_kernel:
      step_up(out, m, out.ks, OfaFmnistSpace::kernel_sizes, "kernel size");
      return out;
    case MorphismKind::deepen: {
      HWNAS_CHECK_CONFIG(m.index >= 0 && m.index < stage_count, "{}: there are stages 0 to {}", to_string(m),
                         stage_count - 1);
      const std::int64_t depth = arch.d[at(m.index)];
      HWNAS_CHECK_CONFIG(depth < OfaFmnistSpace::depths.back(), "{}: depth {} is already the largest", to_string(m),
                         depth);
      HWNAS_CHECK_CONFIG(position(OfaFmnistSpace::kernel_sizes, m.block.kernel_size) >= 0,
                         "{}: kernel size {} is not one of {}", to_string(m), m.block.kernel_size,
                         OfaFmnistSpace::kernel_sizes);
      HWNAS_CHECK_CONFIG(position(OfaFmnistSpace::expand_ratios, m.block.expand) >= 0,
                         "{}: expand ratio {} is not one of {}", to_string(m), m.block.expand,
                         OfaFmnistSpace::expand_ratios);
      const std::int64_t block = block_index(m.index, depth);
      out.ks[at(block)] = m.block.kernel_size;
      out.e[at(block)] = m.block.expand;
      out.d[at(m.index)] = depth + 1;
      return out;
    }
  }
  throw ConfigError(fmt::format("morphism: unknown kind {}", static_cast<int>(m.kind)));
}

OfaFmnistArch apply_path(const OfaFmnistArch& arch, const std::vector<Morphism>& path) {
  OfaFmnistArch out = arch;
  for (const Morphism& m : path) out = apply(out, m);
  return out;
}

std::vector<Morphism> applicable_morphisms(const OfaFmnistArch& arch) {
  std::vector<Morphism> out;
  for (std::int64_t b = 0; b < block_count; ++b) {
    if (!is_active(arch, b)) continue;
    if (next(OfaFmnistSpace::expand_ratios, arch.e[at(b)])) out.push_back(Morphism::widen(b));
    if (next(OfaFmnistSpace::kernel_sizes, arch.ks[at(b)])) out.push_back(Morphism::enlarge_kernel(b));
  }
  for (std::int64_t s = 0; s < stage_count; ++s) {
    if (arch.d[at(s)] >= OfaFmnistSpace::depths.back()) continue;
    for (const auto k : OfaFmnistSpace::kernel_sizes)
      for (const auto e : OfaFmnistSpace::expand_ratios) out.push_back(Morphism::deepen(s, {k, e}));
  }
  return out;
}

Morphism random_morphism(const OfaFmnistArch& arch, Rng& rng) {
  // One entry per place, so that a stage is not 9 times likelier to deepen than a block to widen.
  std::vector<Morphism> places;
  for (const Morphism& m : applicable_morphisms(arch))
    if (m.kind != MorphismKind::deepen || (m.block == models::MBConvChoice{3, 3})) places.push_back(m);
  HWNAS_CHECK_CONFIG(!places.empty(), "random morphism: none applies to the largest architecture");
  Morphism m = places[rng.uniform_int(places.size())];
  if (m.kind == MorphismKind::deepen) {
    const auto& ks = OfaFmnistSpace::kernel_sizes;
    const auto& es = OfaFmnistSpace::expand_ratios;
    m.block.kernel_size = ks[rng.uniform_int(ks.size())];
    m.block.expand = es[rng.uniform_int(es.size())];
  }
  return m;
}

std::optional<std::vector<Morphism>> morphism_path(const OfaFmnistArch& parent, const OfaFmnistArch& child) {
  if (parent.r != child.r) return std::nullopt;
  std::vector<Morphism> path;
  for (std::int64_t s = 0; s < stage_count; ++s) {
    const std::int64_t parent_depth = parent.d[at(s)];
    const std::int64_t child_depth = child.d[at(s)];
    if (parent_depth > child_depth) return std::nullopt;
    for (std::int64_t p = 0; p < parent_depth; ++p) {
      const std::int64_t b = block_index(s, p);
      const std::int64_t k_steps = position(OfaFmnistSpace::kernel_sizes, child.ks[at(b)]) -
                                   position(OfaFmnistSpace::kernel_sizes, parent.ks[at(b)]);
      const std::int64_t e_steps = position(OfaFmnistSpace::expand_ratios, child.e[at(b)]) -
                                   position(OfaFmnistSpace::expand_ratios, parent.e[at(b)]);
      if (k_steps < 0 || e_steps < 0) return std::nullopt;
      path.insert(path.end(), static_cast<std::size_t>(k_steps), Morphism::enlarge_kernel(b));
      path.insert(path.end(), static_cast<std::size_t>(e_steps), Morphism::widen(b));
    }
    for (std::int64_t p = parent_depth; p < child_depth; ++p) {
      const std::int64_t b = block_index(s, p);
      path.push_back(Morphism::deepen(s, {child.ks[at(b)], child.e[at(b)]}));
    }
  }
  return path;
}

std::optional<std::int64_t> morphism_distance(const OfaFmnistArch& parent, const OfaFmnistArch& child) {
  const auto path = morphism_path(parent, child);
  if (!path) return std::nullopt;
  return static_cast<std::int64_t>(path->size());
}

OfaFmnistArch morphism_root(std::int64_t resolution) {
  HWNAS_CHECK_CONFIG(position(OfaFmnistSpace::resolutions, resolution) >= 0,
                     "morphism root: resolution {} is not one of {}", resolution, OfaFmnistSpace::resolutions);
  OfaFmnistArch root = OfaFmnistSpace{}.smallest();
  root.r = resolution;
  return root;
}

}  // namespace hwnas::inherit
