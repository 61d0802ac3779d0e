#include "hwnas/space/ofa_fmnist.hpp"

#include <cmath>
#include <span>

#include <fmt/format.h>

#include "hwnas/models/mobilenet.hpp"
#include "hwnas/space/choices.hpp"

namespace hwnas::space {
namespace {

using Arch = OfaFmnistArch;
using detail::either;
using detail::maybe_mutate;
using detail::pick;

template <std::size_t N>
std::span<const std::int64_t> options(const std::array<std::int64_t, N>& values) {
  return values;
}

/// Index of `value` in `values` (the value is known to be valid).
template <std::size_t N>
std::size_t index_of(const std::array<std::int64_t, N>& values, std::int64_t value) {
  for (std::size_t i = 0; i < N; ++i)
    if (values[i] == value) return i;
  return N;
}

bool active(const Arch& arch, std::size_t block) {
  return static_cast<std::int64_t>(block % Arch::blocks_per_stage) < arch.d[block / Arch::blocks_per_stage];
}

template <std::size_t N>
std::array<std::int64_t, N> to_array(const std::vector<std::int64_t>& values) {
  std::array<std::int64_t, N> out{};
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

}  // namespace

OfaFmnistArch OfaFmnistSpace::sample(Rng& rng) const {
  Arch arch;
  for (std::size_t i = 0; i < Arch::blocks; ++i) {
    arch.ks[i] = pick(options(kernel_sizes), rng);
    arch.e[i] = pick(options(expand_ratios), rng);
  }
  for (auto& d : arch.d) d = pick(options(depths), rng);
  arch.r = pick(options(resolutions), rng);
  return arch;
}

OfaFmnistArch OfaFmnistSpace::mutate(const Arch& arch, Rng& rng, double p) const {
  HWNAS_CHECK_CONFIG(p >= 0.0 && p <= 1.0, "ofa-fmnist: mutation probability must be in [0, 1], got {}", p);
  Arch out = arch;
  for (std::size_t i = 0; i < Arch::blocks; ++i) {
    out.ks[i] = maybe_mutate(options(kernel_sizes), arch.ks[i], rng, p);
    out.e[i] = maybe_mutate(options(expand_ratios), arch.e[i], rng, p);
  }
  for (std::size_t s = 0; s < Arch::stages; ++s) out.d[s] = maybe_mutate(options(depths), arch.d[s], rng, p);
  out.r = maybe_mutate(options(resolutions), arch.r, rng, p);
  return out;
}

OfaFmnistArch OfaFmnistSpace::crossover(const Arch& a, const Arch& b, Rng& rng) const {
  Arch out;
  for (std::size_t i = 0; i < Arch::blocks; ++i) {
    out.ks[i] = either(a.ks[i], b.ks[i], rng);
    out.e[i] = either(a.e[i], b.e[i], rng);
  }
  for (std::size_t s = 0; s < Arch::stages; ++s) out.d[s] = either(a.d[s], b.d[s], rng);
  out.r = either(a.r, b.r, rng);
  return out;
}

std::vector<float> OfaFmnistSpace::encode(const Arch& arch) const {
  std::vector<float> x(encoding_size(), 0.0F);
  x[index_of(resolutions, arch.r)] = 1.0F;
  const std::size_t ks_start = resolutions.size();
  const std::size_t e_start = ks_start + Arch::blocks * kernel_sizes.size();
  for (std::size_t i = 0; i < Arch::blocks; ++i) {
    if (!active(arch, i)) continue;
    x[ks_start + i * kernel_sizes.size() + index_of(kernel_sizes, arch.ks[i])] = 1.0F;
    x[e_start + i * expand_ratios.size() + index_of(expand_ratios, arch.e[i])] = 1.0F;
  }
  return x;
}

nlohmann::json OfaFmnistSpace::to_json(const Arch& arch) const {
  return {{"space", name()}, {"ks", arch.ks}, {"e", arch.e}, {"d", arch.d}, {"r", arch.r}};
}

OfaFmnistArch OfaFmnistSpace::from_json(const nlohmann::json& json) const {
  detail::check_arch_object(json, name(), {"ks", "e", "d", "r"});
  Arch arch;
  arch.ks = to_array<Arch::blocks>(detail::read_choices(json, name(), "ks", Arch::blocks, kernel_sizes));
  arch.e = to_array<Arch::blocks>(detail::read_choices(json, name(), "e", Arch::blocks, expand_ratios));
  arch.d = to_array<Arch::stages>(detail::read_choices(json, name(), "d", Arch::stages, depths));
  arch.r = detail::read_choice(json, name(), "r", resolutions);
  return arch;
}

namespace {

/// Decision i's name: the JSON field and entry it sets.
std::string describe_decision(std::size_t i) {
  if (i < Arch::blocks) return fmt::format("ks[{}]", i);
  if (i < 2 * Arch::blocks) return fmt::format("e[{}]", i - Arch::blocks);
  if (i < 2 * Arch::blocks + Arch::stages) return fmt::format("d[{}]", i - 2 * Arch::blocks);
  return "r";
}

}  // namespace

std::vector<std::int64_t> OfaFmnistSpace::decisions() const {
  std::vector<std::int64_t> options;
  options.insert(options.end(), Arch::blocks, std::ssize(kernel_sizes));
  options.insert(options.end(), Arch::blocks, std::ssize(expand_ratios));
  options.insert(options.end(), Arch::stages, std::ssize(depths));
  options.push_back(std::ssize(resolutions));
  return options;
}

std::vector<std::int64_t> OfaFmnistSpace::to_decisions(const Arch& arch) const {
  std::vector<std::int64_t> indices;
  const auto add = [&](const auto& values, std::int64_t value) {
    indices.push_back(static_cast<std::int64_t>(index_of(values, value)));
  };
  for (const auto k : arch.ks) add(kernel_sizes, k);
  for (const auto e : arch.e) add(expand_ratios, e);
  for (const auto d : arch.d) add(depths, d);
  add(resolutions, arch.r);
  return indices;
}

OfaFmnistArch OfaFmnistSpace::from_decisions(std::span<const std::int64_t> indices) const {
  detail::check_decisions(indices, name(), decisions(), describe_decision);
  const auto at = [&](const auto& values, std::size_t i) { return values[static_cast<std::size_t>(indices[i])]; };
  Arch arch;
  for (std::size_t i = 0; i < Arch::blocks; ++i) {
    arch.ks[i] = at(kernel_sizes, i);
    arch.e[i] = at(expand_ratios, Arch::blocks + i);
  }
  for (std::size_t s = 0; s < Arch::stages; ++s) arch.d[s] = at(depths, 2 * Arch::blocks + s);
  arch.r = at(resolutions, 2 * Arch::blocks + Arch::stages);
  return arch;
}

std::string OfaFmnistSpace::canonical(const Arch& arch) const {
  std::string s = fmt::format("r{}", arch.r);
  for (std::size_t stage = 0; stage < Arch::stages; ++stage) {
    s += '|';
    for (std::int64_t b = 0; b < arch.d[stage]; ++b) {
      const std::size_t i = stage * Arch::blocks_per_stage + static_cast<std::size_t>(b);
      s += fmt::format("{}k{}e{}", b == 0 ? "" : ",", arch.ks[i], arch.e[i]);
    }
  }
  return s;
}

models::MobileNetConfig OfaFmnistSpace::config(const Arch& arch) const {
  models::StageBlocks blocks(Arch::stages);
  for (std::size_t stage = 0; stage < Arch::stages; ++stage) {
    for (std::int64_t b = 0; b < arch.d[stage]; ++b) {
      const std::size_t i = stage * Arch::blocks_per_stage + static_cast<std::size_t>(b);
      blocks[stage].push_back({arch.ks[i], arch.e[i]});
    }
  }
  return models::fmnist_mobilenet(std::move(blocks), /*se=*/true, arch.r);
}

double OfaFmnistSpace::size() const {
  const double per_block = static_cast<double>(kernel_sizes.size() * expand_ratios.size());
  double per_stage = 0.0;
  for (const std::int64_t d : depths) per_stage += std::pow(per_block, static_cast<double>(d));
  return static_cast<double>(resolutions.size()) * std::pow(per_stage, static_cast<double>(Arch::stages));
}

nlohmann::json OfaFmnistSpace::choices() const {
  return {{"ks", kernel_sizes}, {"e", expand_ratios}, {"d", depths}, {"r", resolutions},
          {"blocks", Arch::blocks}, {"stages", Arch::stages}};
}

namespace {

/// Every block at (k, e), every stage at depth d, resolution r.
OfaFmnistArch uniform(std::int64_t k, std::int64_t e, std::int64_t d, std::int64_t r) {
  OfaFmnistArch arch;
  arch.ks.fill(k);
  arch.e.fill(e);
  arch.d.fill(d);
  arch.r = r;
  return arch;
}

}  // namespace

OfaFmnistArch OfaFmnistSpace::largest() const {
  return uniform(kernel_sizes.back(), expand_ratios.back(), depths.back(), resolutions.back());
}

OfaFmnistArch OfaFmnistSpace::smallest() const {
  return uniform(kernel_sizes.front(), expand_ratios.front(), depths.front(), resolutions.front());
}

std::vector<OfaFmnistArch> OfaFmnistSpace::layer_cover() const {
  std::vector<Arch> archs;
  for (const auto r : resolutions)
    for (const auto k : kernel_sizes)
      for (const auto e : expand_ratios) archs.push_back(uniform(k, e, depths.back(), r));
  return archs;
}

}  // namespace hwnas::space

std::size_t std::hash<hwnas::space::OfaFmnistArch>::operator()(const hwnas::space::OfaFmnistArch& arch) const noexcept {
  hwnas::space::detail::ChoiceHash h;
  for (const auto v : arch.ks) h.add(v);
  for (const auto v : arch.e) h.add(v);
  for (const auto v : arch.d) h.add(v);
  h.add(arch.r);
  return h.value();
}
