// What a search pays per candidate for a latency prediction: the layer-wise
// table (summary of the architecture + a lookup per layer) and the MLP
// predictor (encoding + three small matrix-vector products). Goal: under
// 10 microseconds each.
//
//   build/benchmarks/bench_cost --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include "hwnas/cost.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace {

using namespace hwnas;

std::vector<space::OfaFmnistArch> sample_archs(std::size_t n) {
  const space::OfaFmnistSpace space;
  Rng rng(1);
  std::vector<space::OfaFmnistArch> archs;
  for (std::size_t i = 0; i < n; ++i) archs.push_back(space.sample(rng));
  return archs;
}

void BM_LutPrediction(benchmark::State& state) {
  const space::OfaFmnistSpace space;
  // Entries' values do not change the cost of a lookup: every layer at 0.1 ms.
  auto table = std::make_shared<cost::LatencyTable>(std::string(space.name()), cost::this_device(1),
                                                    cost::LatencyOptions{});
  for (const auto& layer : cost::distinct_layers(space)) table->set(models::layer_key(layer), {20, 0.1, 0.1, 0.0});
  const cost::LutLatency<space::OfaFmnistSpace> lut(space, table);
  const auto archs = sample_archs(256);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(lut.cost(archs[i++ % archs.size()]));
}
BENCHMARK(BM_LutPrediction)->Unit(benchmark::kMicrosecond);

void BM_MlpPrediction(benchmark::State& state) {
  const space::OfaFmnistSpace space;
  const auto archs = sample_archs(256);
  std::vector<std::pair<space::OfaFmnistArch, double>> measured;
  for (const auto& arch : archs) measured.emplace_back(arch, 1e-7 * static_cast<double>(space.macs(arch)));
  // The default size (3 x 128); one epoch is enough to time it.
  const auto fitted =
      cost::fit_latency_predictor(space, measured, cost::this_device(1), predict::MlpRegressorOptions{}.epochs(1), 0);
  const cost::MlpLatency<space::OfaFmnistSpace> mlp(space,
                                                    std::make_shared<const cost::LatencyPredictor>(fitted.predictor));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(mlp.cost(archs[i++ % archs.size()]));
}
BENCHMARK(BM_MlpPrediction)->Unit(benchmark::kMicrosecond);

}  // namespace
