#include "hwnas/space/proxyless.hpp"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/space/choices.hpp"

namespace hwnas::space {
namespace {

using Arch = ProxylessArch;

bool first_of_stage(std::size_t layer) { return layer % Arch::layers_per_stage == 0; }

std::size_t index_of(const ProxylessOp& op) {
  for (std::size_t i = 0; i < ProxylessSpace::candidates.size(); ++i)
    if (ProxylessSpace::candidates[i] == op) return i;
  return ProxylessSpace::candidates.size();
}

}  // namespace

std::string ProxylessOp::name() const {
  return is_zero() ? std::string("zero") : fmt::format("mb_k{}_e{}", kernel_size, expand);
}

std::span<const ProxylessOp> ProxylessSpace::allowed(std::size_t layer) const {
  const std::span<const ProxylessOp> all(candidates);
  return first_of_stage(layer) ? all.subspan(1) : all;
}

ProxylessArch ProxylessSpace::sample(Rng& rng) const {
  Arch arch;
  for (std::size_t i = 0; i < Arch::layers; ++i) arch.ops[i] = detail::pick(allowed(i), rng);
  return arch;
}

ProxylessArch ProxylessSpace::mutate(const Arch& arch, Rng& rng, double p) const {
  HWNAS_CHECK_CONFIG(p >= 0.0 && p <= 1.0, "proxyless: mutation probability must be in [0, 1], got {}", p);
  Arch out;
  for (std::size_t i = 0; i < Arch::layers; ++i) out.ops[i] = detail::maybe_mutate(allowed(i), arch.ops[i], rng, p);
  return out;
}

ProxylessArch ProxylessSpace::crossover(const Arch& a, const Arch& b, Rng& rng) const {
  Arch out;
  for (std::size_t i = 0; i < Arch::layers; ++i) out.ops[i] = detail::either(a.ops[i], b.ops[i], rng);
  return out;
}

std::vector<float> ProxylessSpace::encode(const Arch& arch) const {
  std::vector<float> x(encoding_size(), 0.0F);
  for (std::size_t i = 0; i < Arch::layers; ++i) x[i * candidates.size() + index_of(arch.ops[i])] = 1.0F;
  return x;
}

nlohmann::json ProxylessSpace::to_json(const Arch& arch) const {
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& op : arch.ops) ops.push_back(op.name());
  return {{"space", name()}, {"ops", std::move(ops)}};
}

ProxylessArch ProxylessSpace::from_json(const nlohmann::json& json) const {
  detail::check_arch_object(json, name(), {"ops"});
  const auto& ops = json["ops"];
  HWNAS_CHECK_CONFIG(ops.is_array() && ops.size() == Arch::layers,
                     "proxyless: \"ops\" must be a list of {} strings, got {}", Arch::layers, ops.dump());
  Arch arch;
  for (std::size_t i = 0; i < Arch::layers; ++i) {
    std::vector<std::string> names;
    for (const auto& op : allowed(i)) names.push_back(op.name());
    const auto it = ops[i].is_string() ? std::ranges::find(names, ops[i].get<std::string>()) : names.end();
    HWNAS_CHECK_CONFIG(it != names.end(), "proxyless: \"ops\"[{}] is {}; allowed{}: {}", i, ops[i].dump(),
                       first_of_stage(i) ? " on a stage's first layer" : "", fmt::join(names, ", "));
    arch.ops[i] = allowed(i)[static_cast<std::size_t>(it - names.begin())];
  }
  return arch;
}

std::vector<std::int64_t> ProxylessSpace::decisions() const {
  std::vector<std::int64_t> options;
  for (std::size_t i = 0; i < Arch::layers; ++i) options.push_back(std::ssize(allowed(i)));
  return options;
}

std::vector<std::int64_t> ProxylessSpace::to_decisions(const Arch& arch) const {
  std::vector<std::int64_t> indices;
  for (std::size_t i = 0; i < Arch::layers; ++i)
    indices.push_back(std::ranges::find(allowed(i), arch.ops[i]) - allowed(i).begin());
  return indices;
}

ProxylessArch ProxylessSpace::from_decisions(std::span<const std::int64_t> indices) const {
  detail::check_decisions(indices, name(), decisions(), [](std::size_t i) { return fmt::format("ops[{}]", i); });
  Arch arch;
  for (std::size_t i = 0; i < Arch::layers; ++i) arch.ops[i] = allowed(i)[static_cast<std::size_t>(indices[i])];
  return arch;
}

std::string ProxylessSpace::canonical(const Arch& arch) const {
  std::vector<std::string> names;
  for (const auto& op : arch.ops) names.push_back(op.name());
  return fmt::format("{}", fmt::join(names, ","));
}

models::MobileNetConfig ProxylessSpace::config(const Arch& arch) const {
  models::StageBlocks blocks(Arch::stages);
  for (std::size_t layer = 0; layer < Arch::layers; ++layer) {
    const ProxylessOp& op = arch.ops[layer];
    if (!op.is_zero()) blocks[layer / Arch::layers_per_stage].push_back({op.kernel_size, op.expand});
  }
  return models::fmnist_mobilenet(std::move(blocks), /*se=*/false);
}

std::vector<ProxylessArch> ProxylessSpace::layer_cover() const {
  std::vector<Arch> archs;
  for (const auto& op : candidates) {
    if (op.is_zero()) continue;
    Arch arch;
    arch.ops.fill(op);
    archs.push_back(arch);
  }
  return archs;
}

nlohmann::json ProxylessSpace::choices() const {
  const auto names = [](std::span<const ProxylessOp> ops) {
    std::vector<std::string> out;
    for (const auto& op : ops) out.push_back(op.name());
    return out;
  };
  return {{"ops", names(candidates)}, {"layers", Arch::layers}, {"first_layer_ops", names(allowed(0))}};
}

double ProxylessSpace::size() const {
  const auto n = static_cast<double>(candidates.size());
  return std::pow(n - 1.0, static_cast<double>(Arch::stages)) *
         std::pow(n, static_cast<double>(Arch::layers - Arch::stages));
}

}  // namespace hwnas::space

std::size_t std::hash<hwnas::space::ProxylessArch>::operator()(const hwnas::space::ProxylessArch& arch) const noexcept {
  hwnas::space::detail::ChoiceHash h;
  for (const auto& op : arch.ops) {
    h.add(op.kernel_size);
    h.add(op.expand);
  }
  return h.value();
}
