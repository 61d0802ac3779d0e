#include "search_config.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/json_options.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/core/statistics.hpp"
#include "hwnas/cost/latency.hpp"
#include "hwnas/cost/latency_table.hpp"
#include "hwnas/cost/mlp_latency.hpp"
#include "hwnas/cost/size_costs.hpp"
#include "hwnas/data/datasets.hpp"
#include "estimators.hpp"
#include "latency_tables.hpp"

namespace hwnas::app {
namespace {

/// A sub-object with a "name"; ConfigError naming `where` otherwise.
std::string part_name(const nlohmann::json& part, const std::string& where) {
  HWNAS_CHECK_CONFIG(part.is_object() && part.contains("name") && part.at("name").is_string(),
                     "{}: expected an object with a \"name\", got {}", where, part.dump());
  return part.at("name").get<std::string>();
}

cost::AnyCost make_cost(const nlohmann::json& json, const space::AnySpace& space, const std::filesystem::path& work_dir,
                        bool quiet) {
  JsonOptions o(json, "cost");
  const auto name = o.require<std::string>("name");
  const auto file = o.get<std::string>("file", "auto");
  const auto threads = o.get<int>("threads", 1);
  const bool force = o.get("force", false);
  o.finish();
  HWNAS_CHECK_CONFIG(threads >= 1, "cost.threads: must be at least 1, got {}", threads);
  const cost::Device device = cost::this_device(threads);
  const std::string space_name(space.name());
  if (name == "lut") {
    std::filesystem::path path;
    if (file == "auto") {
      // The shipped table of this machine, else one profiled now (and resumed if a run was cut short).
      try {
        path = resolve_shipped(file, table_file_name(space_name, device));
      } catch (const ConfigError&) {
        path = work_dir / table_file_name(space_name, device);
        if (!quiet)
          fmt::print(stderr, "no shipped latency table for {} on {}: profiling one into {}\n", space_name,
                     device.id(), path.string());
        (void)profile_table(space, cost::LatencyOptions{}.threads(threads), path, {.quiet = quiet});
      }
    } else {
      path = file;
    }
    return cost::AnyCost(cost::LutLatency<space::AnySpace>(
        space, std::make_shared<const cost::LatencyTable>(cost::LatencyTable::load(path)), force));
  }
  if (name == "mlp") {
    const auto path = resolve_shipped(file, predictor_file_name(space_name, device));
    return cost::AnyCost(cost::MlpLatency<space::AnySpace>(
        space, std::make_shared<const cost::LatencyPredictor>(cost::LatencyPredictor::load(path)), force));
  }
  if (name == "macs" || name == "params") {
    using Size = cost::SizeCost<space::AnySpace>;
    return cost::AnyCost(Size(space, name == "macs" ? Size::Measure::macs : Size::Measure::params));
  }
  HWNAS_CHECK_CONFIG(name == "measured", "cost.name: unknown cost model '{}' (known: lut, mlp, macs, params, measured)",
                     name);
  return cost::AnyCost(cost::MeasuredLatency<space::AnySpace>(space, cost::LatencyOptions{}.threads(threads)));
}

/// The median cost of 200 seeded samples: a budget half of the space meets.
double median_cost(const space::AnySpace& space, const cost::AnyCost& cost, std::uint64_t seed) {
  Rng rng(derive_seed(seed, 0x6275646765ULL));
  std::vector<double> costs;
  for (int i = 0; i < 200; ++i) costs.push_back(cost.cost(space.sample(rng)).value);
  return quantile(std::move(costs), 0.5);
}

}  // namespace

nlohmann::json SearchConfig::default_estimator(const std::string& space) {
  if (space == "ofa-fmnist") return {{"name", "ofa-predictor"}, {"file", "auto"}};
  return {{"name", "zen"}};
}

nlohmann::json SearchConfig::default_final(const std::string& space) {
  if (space == "ofa-fmnist") return {{"supernet", "auto"}, {"measure", true}};
  return {{"epochs", 1}, {"train_subset", 12000}, {"measure", true}};
}

SearchConfig::FinalData SearchConfig::final_data() const {
  const auto field = [&](const char* name, const char* fallback) {
    return final.is_object() ? final.value(name, std::string(fallback)) : std::string(fallback);
  };
  return {field("data", "fashion-mnist"), field("data_dir", "")};
}

SearchConfig SearchConfig::from_json(const nlohmann::json& json) {
  SearchConfig c;
  JsonOptions o(json, "search config");
  c.space = o.get("space", c.space);
  c.estimator = default_estimator(c.space);
  c.final = default_final(c.space);
  if (o.has("estimator")) c.estimator = o.object("estimator");
  if (o.has("cost")) c.cost = o.object("cost");
  if (o.has("strategy")) c.strategy = o.object("strategy");
  (void)part_name(c.estimator, "estimator");
  (void)part_name(c.cost, "cost");
  (void)part_name(c.strategy, "strategy");

  JsonOptions constraints(o.object("constraints"), "constraints");
  c.cost_budget = constraints.get_optional<double>("cost");
  c.params_limit = constraints.get_optional<std::int64_t>("params");
  constraints.finish();

  JsonOptions budget(o.object("budget"), "budget");
  c.evaluations = budget.get("evaluations", c.evaluations);
  c.seconds = budget.get_optional<double>("seconds");
  budget.finish();

  c.batch = o.get_optional<std::int64_t>("batch");
  c.objective = o.get("objective", c.objective);
  c.seed = o.get("seed", c.seed);
  c.early_stop = o.get("early_stop", c.early_stop);
  c.checkpoint_seconds = o.get("checkpoint_seconds", c.checkpoint_seconds);
  if (o.has("final")) {
    c.final = o.object("final");
    JsonOptions final(c.final, "final");
    const auto supernet = final.get_optional<std::string>("supernet");
    const auto epochs = final.get_optional<std::int64_t>("epochs");
    const auto train_subset = final.get_optional<std::int64_t>("train_subset");
    (void)final.get("measure", true);
    (void)final.get_optional<std::string>("data");
    (void)final.get_optional<std::string>("data_dir");
    final.finish();
    const auto datasets = data::dataset_names();
    const std::string dataset = c.final_data().dataset;
    HWNAS_CHECK_CONFIG(std::ranges::find(datasets, dataset) != datasets.end(),
                       "final.data: unknown dataset '{}'; known: {}", dataset, fmt::join(datasets, ", "));
    HWNAS_CHECK_CONFIG(!supernet || (!epochs && !train_subset),
                       "final: either \"supernet\" (keep its weights) or \"epochs\"/\"train_subset\" (train), "
                       "not both");
    HWNAS_CHECK_CONFIG(!supernet || c.space == "ofa-fmnist", "final.supernet: only for ofa-fmnist, not {}", c.space);
    if (!supernet && c.final.is_object()) c.final.erase("supernet");  // a null one: train
    HWNAS_CHECK_CONFIG(epochs.value_or(1) >= 1 && train_subset.value_or(0) >= 0,
                       "final: epochs must be positive and train_subset non-negative");
  }
  o.finish();

  HWNAS_CHECK_CONFIG(c.objective == "accuracy" || c.objective == "pareto",
                     "objective: expected \"accuracy\" or \"pareto\", got \"{}\"", c.objective);
  HWNAS_CHECK_CONFIG(c.evaluations >= 1, "budget.evaluations: must be at least 1, got {}", c.evaluations);
  HWNAS_CHECK_CONFIG(!c.seconds || *c.seconds > 0.0, "budget.seconds: must be positive");
  HWNAS_CHECK_CONFIG(!c.batch || *c.batch >= 1, "batch: must be at least 1");
  HWNAS_CHECK_CONFIG(!c.cost_budget || *c.cost_budget > 0.0, "constraints.cost: must be positive, got {}",
                     c.cost_budget.value_or(0.0));
  HWNAS_CHECK_CONFIG(!c.params_limit || *c.params_limit > 0, "constraints.params: must be positive");
  HWNAS_CHECK_CONFIG(c.early_stop >= 0, "early_stop: must be non-negative (0: never)");
  HWNAS_CHECK_CONFIG(c.checkpoint_seconds >= 0.0, "checkpoint_seconds: must be non-negative");
  return c;
}

nlohmann::json SearchConfig::to_json() const {
  const auto optional = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
  return {{"space", space},
          {"estimator", estimator},
          {"cost", cost},
          {"strategy", strategy},
          {"constraints", {{"cost", optional(cost_budget)}, {"params", optional(params_limit)}}},
          {"budget", {{"evaluations", evaluations}, {"seconds", optional(seconds)}}},
          {"batch", optional(batch)},
          {"objective", objective},
          {"seed", seed},
          {"early_stop", early_stop},
          {"checkpoint_seconds", checkpoint_seconds},
          {"final", final}};
}

SearchParts assemble(const SearchConfig& config, const std::filesystem::path& work_dir, bool quiet) {
  const space::AnySpace space = space::make_space(config.space);
  cost::AnyCost cost = make_cost(config.cost, space, work_dir, quiet);
  Rng rng(config.seed);
  const std::string unit = cost.cost(space.sample(rng)).unit;
  const double budget = config.cost_budget.value_or(median_cost(space, cost, config.seed));
  search::AnyStrategy strategy = search::make_strategy(config.strategy, space, config.seed);
  auto options = search::SearchOptions{}
                     .cost_budget(budget)
                     .max_evaluations(config.evaluations)
                     .batch(config.batch.value_or(strategy.preferred_batch()))
                     .objective(config.objective == "pareto" ? search::Objective::pareto
                                                             : search::Objective::accuracy);
  if (config.params_limit) options.params_limit(*config.params_limit);
  if (config.seconds) options.max_seconds(*config.seconds);
  estimate::AnyEstimator estimator = make_estimator(config.estimator, space, config.seed);
  return {space, std::move(estimator), std::move(cost), std::move(strategy), options, budget, unit};
}

}  // namespace hwnas::app
