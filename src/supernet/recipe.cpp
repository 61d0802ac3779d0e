#include "hwnas/supernet/recipe.hpp"

#include <algorithm>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/json_options.hpp"

namespace hwnas::supernet {
namespace {

using space::OfaFmnistArch;
using space::OfaFmnistSpace;

/// ConfigError unless `values` is a non-empty list of distinct members of `allowed`.
void check_choices(const std::vector<std::int64_t>& values, std::span<const std::int64_t> allowed,
                   const std::string& where) {
  HWNAS_CHECK_CONFIG(!values.empty(), "{}: needs at least one value", where);
  for (std::size_t i = 0; i < values.size(); ++i) {
    HWNAS_CHECK_CONFIG(std::ranges::find(allowed, values[i]) != allowed.end(), "{}: {} is not one of {}", where,
                       values[i], fmt::join(allowed, ", "));
    HWNAS_CHECK_CONFIG(std::ranges::count(values, values[i]) == 1, "{}: {} is listed twice", where, values[i]);
  }
}

Phase phase_from_json(const nlohmann::json& json, const std::string& where) {
  JsonOptions o(json, where);
  Phase p;
  p.name = o.require<std::string>("name");
  p.kernel_sizes = o.get("kernel_sizes", p.kernel_sizes);
  p.expand_ratios = o.get("expand_ratios", p.expand_ratios);
  p.depths = o.get("depths", p.depths);
  p.epochs = o.get("epochs", p.epochs);
  p.lr = o.get("lr", p.lr);
  p.warmup_epochs = o.get("warmup_epochs", p.warmup_epochs);
  p.subnets_per_step = o.get("subnets_per_step", p.subnets_per_step);
  p.distill = o.get("distill", p.distill);
  o.finish();
  check_choices(p.kernel_sizes, OfaFmnistSpace::kernel_sizes, where + ".kernel_sizes");
  check_choices(p.expand_ratios, OfaFmnistSpace::expand_ratios, where + ".expand_ratios");
  check_choices(p.depths, OfaFmnistSpace::depths, where + ".depths");
  HWNAS_CHECK_CONFIG(p.epochs > 0.0 && p.lr > 0.0 && p.warmup_epochs >= 0.0 && p.warmup_epochs < p.epochs,
                     "{}: epochs and lr must be positive, warmup_epochs in [0, epochs)", where);
  HWNAS_CHECK_CONFIG(p.subnets_per_step >= 1, "{}.subnets_per_step: must be at least 1", where);
  return p;
}

nlohmann::json phase_to_json(const Phase& p) {
  return {{"name", p.name},       {"kernel_sizes", p.kernel_sizes},
          {"expand_ratios", p.expand_ratios}, {"depths", p.depths},
          {"epochs", p.epochs},   {"lr", p.lr},
          {"warmup_epochs", p.warmup_epochs}, {"subnets_per_step", p.subnets_per_step},
          {"distill", p.distill}};
}

OfaFmnistArch uniform_subnet(const Phase& phase, std::int64_t r, bool largest) {
  OfaFmnistArch arch;
  arch.ks.fill(largest ? std::ranges::max(phase.kernel_sizes) : std::ranges::min(phase.kernel_sizes));
  arch.e.fill(largest ? std::ranges::max(phase.expand_ratios) : std::ranges::min(phase.expand_ratios));
  arch.d.fill(largest ? std::ranges::max(phase.depths) : std::ranges::min(phase.depths));
  arch.r = r;
  return arch;
}

}  // namespace

Recipe Recipe::from_json(const nlohmann::json& json) {
  JsonOptions o(json, "recipe");
  Recipe r;
  r.resolutions = o.get("resolutions", r.resolutions);
  r.batch_size = o.get("batch_size", r.batch_size);
  r.kd_ratio = o.get("kd_ratio", r.kd_ratio);
  r.label_smoothing = o.get("label_smoothing", r.label_smoothing);
  r.weight_decay = o.get("weight_decay", r.weight_decay);
  r.momentum = o.get("momentum", r.momentum);
  r.validation_size = o.get("validation_size", r.validation_size);
  r.seed = o.get("seed", r.seed);
  const nlohmann::json& phases = o.object("phases");
  o.finish();
  HWNAS_CHECK_CONFIG(phases.is_array() && !phases.empty(), "recipe.phases: expected a non-empty list of phases");
  for (std::size_t i = 0; i < phases.size(); ++i)
    r.phases.push_back(phase_from_json(phases[i], fmt::format("recipe.phases[{}]", i)));
  check_choices(r.resolutions, OfaFmnistSpace::resolutions, "recipe.resolutions");
  HWNAS_CHECK_CONFIG(r.batch_size >= 2, "recipe.batch_size: must be at least 2 (batch norm), got {}", r.batch_size);
  HWNAS_CHECK_CONFIG(r.kd_ratio >= 0.0 && r.weight_decay >= 0.0 && r.momentum >= 0.0 && r.momentum < 1.0 &&
                         r.label_smoothing >= 0.0 && r.label_smoothing < 1.0 && r.validation_size >= 0,
                     "recipe: kd_ratio, weight_decay and validation_size must be non-negative, momentum and "
                     "label_smoothing in [0, 1)");
  HWNAS_CHECK_CONFIG(!r.phases.front().distill,
                     "recipe.phases[0].distill: the first phase trains the teacher and cannot distil from it");
  return r;
}

nlohmann::json Recipe::to_json() const {
  nlohmann::json phase_list = nlohmann::json::array();
  for (const Phase& p : phases) phase_list.push_back(phase_to_json(p));
  return {{"phases", std::move(phase_list)},
          {"resolutions", resolutions},
          {"batch_size", batch_size},
          {"kd_ratio", kd_ratio},
          {"label_smoothing", label_smoothing},
          {"weight_decay", weight_decay},
          {"momentum", momentum},
          {"validation_size", validation_size},
          {"seed", seed}};
}

Recipe default_recipe() {
  // Learning rates: the official per-64 rates scaled to batch 128; epochs cut to fit two cores.
  Recipe r;
  r.phases = {
      {"full", {7}, {6}, {4}, 3.0, 0.1, 0.0, 1, false},
      {"kernel", {3, 5, 7}, {6}, {4}, 1.0, 0.06, 0.04, 1, true},
      {"depth-1", {3, 5, 7}, {6}, {3, 4}, 0.5, 0.005, 0.0, 2, true},
      {"depth-2", {3, 5, 7}, {6}, {2, 3, 4}, 1.0, 0.015, 0.04, 2, true},
      {"expand-1", {3, 5, 7}, {4, 6}, {2, 3, 4}, 0.5, 0.005, 0.0, 4, true},
      {"expand-2", {3, 5, 7}, {3, 4, 6}, {2, 3, 4}, 1.0, 0.015, 0.04, 4, true},
  };
  return r;
}

space::OfaFmnistArch sample_subnet(const Phase& phase, std::int64_t r, Rng& rng) {
  const auto pick = [&](const std::vector<std::int64_t>& values) {
    return values[static_cast<std::size_t>(rng.uniform_int(values.size()))];
  };
  OfaFmnistArch arch;
  for (std::size_t b = 0; b < OfaFmnistArch::blocks; ++b) {
    arch.ks[b] = pick(phase.kernel_sizes);
    arch.e[b] = pick(phase.expand_ratios);
  }
  for (auto& d : arch.d) d = pick(phase.depths);
  arch.r = r;
  return arch;
}

space::OfaFmnistArch smallest_subnet(const Phase& phase, std::int64_t r) { return uniform_subnet(phase, r, false); }
space::OfaFmnistArch largest_subnet(const Phase& phase, std::int64_t r) { return uniform_subnet(phase, r, true); }

}  // namespace hwnas::supernet
