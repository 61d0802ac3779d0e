// Search-space operations a search runs millions of times: sampling and
// encoding, counting MACs without building, and building a network.
//
//   build/benchmarks/bench_spaces --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include "hwnas/space.hpp"

namespace {

using namespace hwnas;

template <class Space>
void BM_SampleAndEncode100k(benchmark::State& state) {
  const Space space;
  Rng rng(0);
  for (auto _ : state) {
    for (int i = 0; i < 100'000; ++i) {
      const auto arch = space.sample(rng);
      benchmark::DoNotOptimize(space.encode(arch));
    }
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_SampleAndEncode100k<space::OfaFmnistSpace>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SampleAndEncode100k<space::ProxylessSpace>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SampleAndEncode100k<space::Nb201Space>)->Unit(benchmark::kMillisecond);

template <class Space>
void BM_MacsAndParams(benchmark::State& state) {
  const Space space;
  Rng rng(1);
  std::vector<typename Space::Arch> archs;
  for (int i = 0; i < 64; ++i) archs.push_back(space.sample(rng));
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& arch = archs[i++ % archs.size()];
    benchmark::DoNotOptimize(space.macs(arch) + space.params(arch));
  }
}
BENCHMARK(BM_MacsAndParams<space::OfaFmnistSpace>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MacsAndParams<space::Nb201Space>)->Unit(benchmark::kMicrosecond);

template <class Space>
void BM_Build(benchmark::State& state) {
  const Space space;
  Rng rng(2);
  std::vector<typename Space::Arch> archs;
  for (int i = 0; i < 16; ++i) archs.push_back(space.sample(rng));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(space.build(archs[i++ % archs.size()]));
}
BENCHMARK(BM_Build<space::OfaFmnistSpace>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Build<space::ProxylessSpace>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Build<space::Nb201Space>)->Unit(benchmark::kMicrosecond);

void BM_BuildLargestOfaFmnist(benchmark::State& state) {
  const space::OfaFmnistSpace space;
  const auto largest = space.largest();
  for (auto _ : state) benchmark::DoNotOptimize(space.build(largest));
}
BENCHMARK(BM_BuildLargestOfaFmnist)->Unit(benchmark::kMicrosecond);

}  // namespace
