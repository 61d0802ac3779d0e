// Single-core matrix multiply speed (Eigen, float) next to the measured
// single-core peak of fused multiply-adds, so that the GEMM's efficiency can
// be stated as a share of what this core can actually do.

#include <cstdint>

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void bench_eigen_gemm(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const RowMajorMatrix a = RowMajorMatrix::Random(n, n);
  const RowMajorMatrix b = RowMajorMatrix::Random(n, n);
  RowMajorMatrix c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(bench_eigen_gemm)
    ->Name("gemm/eigen_float")
    ->ArgName("n")
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Peak: independent chains of vector FMAs, enough of them to cover the FMA
// latency on every FMA port, with no memory traffic at all.
constexpr int chains = 12;
constexpr std::int64_t rounds = 1 << 14;

// One vector type per instruction set, wrapped so the chains below are written once.
#if defined(__AVX512F__)
constexpr const char* peak_name = "peak/fma_avx512_float";
struct Vec {
  static constexpr int lanes = 16;
  __m512 v;
  static Vec splat(float x) { return {_mm512_set1_ps(x)}; }
  friend Vec fma(Vec a, Vec b, Vec c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
  void store(float* out) const { _mm512_storeu_ps(out, v); }
};
#elif defined(__AVX2__) && defined(__FMA__)
constexpr const char* peak_name = "peak/fma_avx2_float";
struct Vec {
  static constexpr int lanes = 8;
  __m256 v;
  static Vec splat(float x) { return {_mm256_set1_ps(x)}; }
  friend Vec fma(Vec a, Vec b, Vec c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
  void store(float* out) const { _mm256_storeu_ps(out, v); }
};
#else
constexpr const char* peak_name = "peak/fma_scalar_float";
struct Vec {
  static constexpr int lanes = 1;
  float v;
  static Vec splat(float x) { return {x}; }
  friend Vec fma(Vec a, Vec b, Vec c) { return {a.v * b.v + c.v}; }
  void store(float* out) const { *out = v; }
};
#endif

/// `rounds` steps of `chains` independent FMA chains; returns their sum so
/// that none of the work can be optimised away.
double fma_chains() {
  // Values the compiler cannot see, so it cannot fold the chains away.
  float start = 0.001F;
  float half = 0.5F;
  benchmark::DoNotOptimize(start);
  benchmark::DoNotOptimize(half);
  Vec acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = Vec::splat(start * static_cast<float>(i));
  const Vec scale = Vec::splat(half);
  const Vec shift = Vec::splat(half);
  for (std::int64_t r = 0; r < rounds; ++r) {
    for (int i = 0; i < chains; ++i) acc[i] = fma(acc[i], scale, shift);
  }
  float lanes[Vec::lanes];
  double sum = 0.0;
  for (const Vec& a : acc) {
    a.store(lanes);
    for (float x : lanes) sum += x;
  }
  return sum;
}

void bench_fma_peak(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fma_chains());
  const double flops = 2.0 * chains * Vec::lanes * static_cast<double>(rounds);
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(bench_fma_peak)->Name(peak_name)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
