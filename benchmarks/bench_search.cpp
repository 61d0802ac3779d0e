// What a search costs beyond its estimator: Once-for-All's default evolution
// (population 100, 500 generations = 50,000 candidates) on ofa-fmnist
// through the Searcher, with the shipped latency table (or the shipped MLP
// latency predictor) as the cost and an accuracy predictor of OFA's shape
// (an MLP 100 -> 400 -> 400 -> 400 -> 1 on the architecture encoding) as the
// estimator. Goal: under 1 s for the 50,000 candidates. Then the same loop
// with Zen-score as the estimator, where the estimator is the whole cost.
//
//   build/benchmarks/bench_search --benchmark_filter=Evolution --benchmark_repetitions=3
//
// The data files are looked up under data/lut/ of the current directory or
// the nearest one above it (run it from anywhere inside the source tree), or
// under $HWNAS_SOURCE_DIR/data/lut/.
//
// Counters: `estimates` (architectures the estimator ran on), `feasible`
// (share of the candidates within the budget), `distinct` (share that were
// not repeats of an earlier network), and for the breakdown run the seconds
// per run spent in each part (`ask`, `tell`, `cost`, `estimate`; `rest` is
// the Searcher's own bookkeeping: canonical strings, parameter counts, the
// cache, the best and the front, the result's copy of the history, which
// `history_copy` times alone).

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/statistics.hpp"
#include "hwnas/cost.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/predict/mlp_regressor.hpp"
#include "hwnas/search.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace {

using namespace hwnas;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t ofa_evaluations = 100 * 500;
constexpr std::int64_t zen_evaluations = 300;

std::filesystem::path lut_file(std::string_view name) {
  if (const char* root = std::getenv("HWNAS_SOURCE_DIR")) return std::filesystem::path(root) / "data/lut" / name;
  for (auto dir = std::filesystem::current_path();; dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "data/lut" / name)) return dir / "data/lut" / name;
    if (dir == dir.root_path()) break;
  }
  throw IoError(fmt::format("bench_search: data/lut/{} not found above {} (set HWNAS_SOURCE_DIR)", name,
                            std::filesystem::current_path().string()));
}

/// OFA's accuracy predictor as an estimator: an MLP on the encoding. Its
/// weights are whatever one epoch on a stand-in target gives: only the speed
/// of a prediction matters here.
class MlpAccuracy {
 public:
  MlpAccuracy(space::OfaFmnistSpace space, std::shared_ptr<const predict::MlpRegressor> model)
      : space_(std::move(space)), model_(std::move(model)) {}
  [[nodiscard]] std::string_view name() const { return "mlp-accuracy"; }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] estimate::Estimate estimate(const space::OfaFmnistArch& arch) const {
    return {model_->predict(space_.encode(arch)), {}};
  }

 private:
  space::OfaFmnistSpace space_;
  std::shared_ptr<const predict::MlpRegressor> model_;
};

struct Setup {
  space::OfaFmnistSpace space;
  std::shared_ptr<const cost::LatencyTable> table;
  std::shared_ptr<const cost::LatencyPredictor> latency_mlp;
  std::shared_ptr<const predict::MlpRegressor> accuracy_mlp;
  /// The median table latency of 2,000 random architectures: about half the candidates are feasible.
  double budget_ms = 0.0;
  std::vector<space::OfaFmnistArch> archs;
};

const Setup& setup() {
  static const Setup s = [] {
    Setup s;
    s.table = std::make_shared<const cost::LatencyTable>(
        cost::LatencyTable::load(lut_file("ofa-fmnist-amd-epyc-t1.json")));
    s.latency_mlp = std::make_shared<const cost::LatencyPredictor>(
        cost::LatencyPredictor::load(lut_file("ofa-fmnist-amd-epyc-t1-mlp.json")));
    Rng rng(7);
    for (int i = 0; i < 2000; ++i) s.archs.push_back(s.space.sample(rng));
    const cost::LutLatency<space::OfaFmnistSpace> lut(s.space, s.table, /*force=*/true);
    std::vector<double> latencies;
    for (const auto& arch : s.archs) latencies.push_back(lut.cost(arch).value);
    s.budget_ms = quantile(latencies, 0.5);

    predict::MlpRegressor::Features x;
    std::vector<double> y;
    for (std::size_t i = 0; i < 80; ++i) {
      x.push_back(s.space.encode(s.archs[i]));
      y.push_back(latencies[i]);
    }
    const predict::MlpRegressor::Features val_x(x.begin() + 64, x.end());
    const std::vector<double> val_y(y.begin() + 64, y.end());
    x.resize(64);
    y.resize(64);
    s.accuracy_mlp = std::make_shared<const predict::MlpRegressor>(predict::MlpRegressor::fit(
        x, y, val_x, val_y, predict::MlpRegressorOptions{}.hidden({400, 400, 400}).epochs(1)));
    return s;
  }();
  return s;
}

cost::LutLatency<space::OfaFmnistSpace> lut_cost() {
  return {setup().space, setup().table, /*force=*/true};
}
cost::MlpLatency<space::OfaFmnistSpace> mlp_cost() {
  return {setup().space, setup().latency_mlp, /*force=*/true};
}

/// Shares of the candidates that were feasible and that were new networks (not repeats).
template <class Arch>
std::pair<double, double> feasible_and_distinct(const search::SearchResult<Arch>& result) {
  std::int64_t feasible = 0, distinct = 0;
  for (const auto& c : result.history) {
    feasible += c.feasible ? 1 : 0;
    distinct += c.cached ? 0 : 1;
  }
  const auto n = static_cast<double>(result.history.size());
  return {static_cast<double>(feasible) / n, static_cast<double>(distinct) / n};
}

template <class Cost>
void ofa_evolution(benchmark::State& state, Cost cost, bool parallel) {
  const Setup& s = setup();
  const auto options = search::SearchOptions()
                           .cost_budget(s.budget_ms)
                           .max_evaluations(ofa_evaluations)
                           .batch(100)
                           .parallel(parallel);
  std::int64_t estimates = 0;
  std::pair<double, double> shares;
  for (auto _ : state) {
    search::Searcher searcher(s.space, MlpAccuracy(s.space, s.accuracy_mlp), cost,
                              search::Evolution(s.space, search::EvolutionOptions{}), options);
    const auto result = searcher.run();
    benchmark::DoNotOptimize(result.best);
    estimates = result.estimates;
    shares = feasible_and_distinct(result);
  }
  state.SetItemsProcessed(state.iterations() * ofa_evaluations);
  state.counters["estimates"] = static_cast<double>(estimates);
  state.counters["feasible"] = shares.first;
  state.counters["distinct"] = shares.second;
  state.counters["budget_ms"] = s.budget_ms;
}

void BM_OfaEvolutionLut(benchmark::State& state) { ofa_evolution(state, lut_cost(), state.range(0) != 0); }
BENCHMARK(BM_OfaEvolutionLut)->ArgName("parallel")->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_OfaEvolutionMlpLatency(benchmark::State& state) { ofa_evolution(state, mlp_cost(), state.range(0) != 0); }
BENCHMARK(BM_OfaEvolutionMlpLatency)
    ->ArgName("parallel")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// --- Where the time of one serial run goes -------------------------------

struct Timers {
  std::atomic<std::int64_t> ask{0}, tell{0}, cost{0}, estimate{0};
};

std::int64_t since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

template <class Inner>
class TimedCost {
 public:
  TimedCost(Inner inner, std::shared_ptr<Timers> timers) : inner_(std::move(inner)), timers_(std::move(timers)) {}
  [[nodiscard]] std::string_view name() const { return inner_.name(); }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] cost::Cost cost(const space::OfaFmnistArch& arch) const {
    const auto start = Clock::now();
    cost::Cost c = inner_.cost(arch);
    timers_->cost += since(start);
    return c;
  }

 private:
  Inner inner_;
  std::shared_ptr<Timers> timers_;
};

class TimedAccuracy {
 public:
  TimedAccuracy(MlpAccuracy inner, std::shared_ptr<Timers> timers)
      : inner_(std::move(inner)), timers_(std::move(timers)) {}
  [[nodiscard]] std::string_view name() const { return inner_.name(); }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] estimate::Estimate estimate(const space::OfaFmnistArch& arch) const {
    const auto start = Clock::now();
    estimate::Estimate e = inner_.estimate(arch);
    timers_->estimate += since(start);
    return e;
  }

 private:
  MlpAccuracy inner_;
  std::shared_ptr<Timers> timers_;
};

class TimedEvolution {
 public:
  TimedEvolution(search::Evolution<space::OfaFmnistSpace> inner, std::shared_ptr<Timers> timers)
      : inner_(std::move(inner)), timers_(std::move(timers)) {}
  [[nodiscard]] std::string_view name() const { return inner_.name(); }
  [[nodiscard]] std::vector<space::OfaFmnistArch> ask(std::int64_t n) {
    const auto start = Clock::now();
    auto archs = inner_.ask(n);
    timers_->ask += since(start);
    return archs;
  }
  void tell(const std::vector<space::OfaFmnistArch>& archs, const std::vector<search::Evaluation>& evaluations) {
    const auto start = Clock::now();
    inner_.tell(archs, evaluations);
    timers_->tell += since(start);
  }
  [[nodiscard]] nlohmann::json state() const { return inner_.state(); }
  void restore(const nlohmann::json& state) { inner_.restore(state); }

 private:
  search::Evolution<space::OfaFmnistSpace> inner_;
  std::shared_ptr<Timers> timers_;
};

void BM_OfaEvolutionLutBreakdown(benchmark::State& state) {
  const Setup& s = setup();
  const auto options =
      search::SearchOptions().cost_budget(s.budget_ms).max_evaluations(ofa_evaluations).batch(100).parallel(false);
  double ask = 0, tell = 0, cost = 0, estimate = 0, rest = 0, copy = 0;
  for (auto _ : state) {
    auto timers = std::make_shared<Timers>();
    const auto start = Clock::now();
    search::Searcher searcher(s.space, TimedAccuracy(MlpAccuracy(s.space, s.accuracy_mlp), timers),
                              TimedCost(lut_cost(), timers),
                              TimedEvolution(search::Evolution(s.space, search::EvolutionOptions{}), timers),
                              options);
    const auto result = searcher.run();
    const double total = 1e-9 * static_cast<double>(since(start));
    benchmark::DoNotOptimize(result.best);
    // The result holds a copy of the history: time one more copy, outside the run's time.
    state.PauseTiming();
    const auto copy_start = Clock::now();
    auto history = result.history;
    benchmark::DoNotOptimize(history);
    copy = 1e-9 * static_cast<double>(since(copy_start));
    state.ResumeTiming();
    ask = 1e-9 * static_cast<double>(timers->ask);
    tell = 1e-9 * static_cast<double>(timers->tell);
    cost = 1e-9 * static_cast<double>(timers->cost);
    estimate = 1e-9 * static_cast<double>(timers->estimate);
    rest = total - ask - tell - cost - estimate;
  }
  state.SetItemsProcessed(state.iterations() * ofa_evaluations);
  state.counters["ask"] = ask;
  state.counters["tell"] = tell;
  state.counters["cost"] = cost;
  state.counters["estimate"] = estimate;
  state.counters["rest"] = rest;
  state.counters["history_copy"] = copy;
}
BENCHMARK(BM_OfaEvolutionLutBreakdown)->UseRealTime()->Unit(benchmark::kMillisecond);

// Each piece of one candidate's evaluation alone, per call.

template <class F>
void per_arch(benchmark::State& state, F f) {
  const auto& archs = setup().archs;
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f(archs[i++ % archs.size()]));
  state.SetItemsProcessed(state.iterations());
}

void BM_Canonical(benchmark::State& state) {
  per_arch(state, [&](const auto& arch) { return setup().space.canonical(arch); });
}
void BM_Summary(benchmark::State& state) {
  per_arch(state, [&](const auto& arch) { return setup().space.summary(arch); });
}
void BM_Params(benchmark::State& state) {
  per_arch(state, [&](const auto& arch) { return setup().space.params(arch); });
}
void BM_LayerKeys(benchmark::State& state) {
  per_arch(state, [&](const auto& arch) {
    std::size_t length = 0;
    for (const auto& layer : setup().space.summary(arch)) length += models::layer_key(layer).size();
    return length;
  });
}
void BM_LutCost(benchmark::State& state) {
  const auto lut = lut_cost();
  per_arch(state, [&](const auto& arch) { return lut.cost(arch); });
}
void BM_MlpLatencyCost(benchmark::State& state) {
  const auto mlp = mlp_cost();
  per_arch(state, [&](const auto& arch) { return mlp.cost(arch); });
}
void BM_Encode(benchmark::State& state) {
  per_arch(state, [&](const auto& arch) { return setup().space.encode(arch); });
}
void BM_MlpAccuracy(benchmark::State& state) {
  const MlpAccuracy mlp(setup().space, setup().accuracy_mlp);
  per_arch(state, [&](const auto& arch) { return mlp.estimate(arch); });
}
BENCHMARK(BM_Canonical);
BENCHMARK(BM_Summary);
BENCHMARK(BM_Params);
BENCHMARK(BM_LayerKeys);
BENCHMARK(BM_LutCost);
BENCHMARK(BM_MlpLatencyCost);
BENCHMARK(BM_Encode);
BENCHMARK(BM_MlpAccuracy);

// --- Zen-score: the estimator is the whole cost ---------------------------
// A few hundred candidates, rounds of 16 or 100; with `parallel` the
// Searcher spreads a round's candidates over the pool (the proxy builds a
// network per call), without it each Zen-score uses the pool in its kernels.

void BM_OfaEvolutionLutZen(benchmark::State& state) {
  const space::AnySpace any{space::OfaFmnistSpace{}};
  const cost::LutLatency<space::AnySpace> lut(any, setup().table, /*force=*/true);
  estimate::ProxyOptions proxy;
  proxy.batch = 16;
  const auto options = search::SearchOptions()
                           .cost_budget(setup().budget_ms)
                           .max_evaluations(zen_evaluations)
                           .batch(state.range(0))
                           .parallel(state.range(1) != 0);
  std::int64_t estimates = 0;
  for (auto _ : state) {
    search::Searcher searcher(any, estimate::make_proxy("zen", any, proxy), lut,
                              search::Evolution(any, search::EvolutionOptions{}), options);
    const auto result = searcher.run();
    benchmark::DoNotOptimize(result.best);
    estimates += result.estimates;
  }
  state.SetItemsProcessed(state.iterations() * zen_evaluations);
  state.counters["estimates"] = static_cast<double>(estimates) / static_cast<double>(state.iterations());
  state.counters["estimates_per_second"] =
      benchmark::Counter(static_cast<double>(estimates), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OfaEvolutionLutZen)
    ->ArgNames({"batch", "parallel"})
    ->ArgsProduct({{16, 100}, {1, 0}})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
