// Whole-network speed of the built-in networks (`models::builtin`) on
// 1x28x28 inputs with 10 classes: one training step (forward, cross
// entropy, backward, SGD with momentum) and one inference pass (eval mode,
// no gradient recording), at batch 1, 64 and 256 on 1 and 2 threads.
// benchmarks/compare/ runs the same work in PyTorch.
//
//   bench_networks --benchmark_min_time=1 --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true --benchmark_filter='mbconv/train'
//
// Counters: items_per_second (images), GFLOP/s (2 FLOPs per multiply-add of
// the conv and linear layers; a training step counts 3 forward passes: the
// forward pass, the input gradient and the weight gradient).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/models/builtin.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/optim/sgd.hpp"

namespace hwnas {
namespace {

constexpr std::int64_t image_size = 28;
constexpr std::int32_t classes = 10;

Tensor random_images(std::int64_t batch, Rng& rng) {
  Tensor t(Shape{batch, 1, image_size, image_size});
  for (auto& v : t.values()) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  return t;
}

/// Multiply-adds of one forward pass of `net` over `x`, without recording a graph.
std::int64_t forward_macs(nn::Module& net, const Variable& x) {
  NoGradGuard no_grad;
  MacCounter counter;
  benchmark::DoNotOptimize(net(x).value().data());
  return counter.macs();
}

void report(benchmark::State& state, std::int64_t batch, std::int64_t macs, double passes) {
  const double flops = 2.0 * static_cast<double>(macs) * passes;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = num_threads();
  state.SetItemsProcessed(state.iterations() * batch);
}

void bench_train(benchmark::State& state, const std::string& name) {
  const std::int64_t batch = state.range(0);
  const ThreadCountGuard threads(static_cast<int>(state.range(1)));
  Rng rng(1);
  auto net = models::builtin(name);
  nn::init::default_init(*net, rng);
  net->train();
  const Variable x(random_images(batch, rng));
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batch));
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(i % classes);
  optim::SGD sgd(net->named_parameters(), optim::SGDOptions(0.01).momentum(0.9));
  const auto step = [&] {
    sgd.zero_grad();
    auto loss = cross_entropy((*net)(x), labels);
    loss.backward();
    sgd.step();
    benchmark::DoNotOptimize(loss.value().data());
  };
  // Untimed: the first step allocates every buffer and the momentum state.
  step();
  for (auto _ : state) step();
  report(state, batch, forward_macs(*net, x), 3.0);
}

void bench_infer(benchmark::State& state, const std::string& name) {
  const std::int64_t batch = state.range(0);
  const ThreadCountGuard threads(static_cast<int>(state.range(1)));
  Rng rng(1);
  auto net = models::builtin(name);
  nn::init::default_init(*net, rng);
  net->eval();
  const Variable x(random_images(batch, rng));
  const auto pass = [&] {
    NoGradGuard no_grad;
    const Variable y = (*net)(x);
    benchmark::DoNotOptimize(y.value().data());
  };
  pass();  // untimed warm-up
  for (auto _ : state) pass();
  report(state, batch, forward_macs(*net, x), 1.0);
}

const bool registered = [] {
  for (const std::string& name : models::builtin_names()) {
    benchmark::RegisterBenchmark((name + "/train").c_str(),
                                 [name](benchmark::State& state) { bench_train(state, name); })
        ->ArgsProduct({{1, 64, 256}, {1, 2}})
        ->ArgNames({"batch", "threads"})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((name + "/infer").c_str(),
                                 [name](benchmark::State& state) { bench_infer(state, name); })
        ->ArgsProduct({{1, 64, 256}, {1, 2}})
        ->ArgNames({"batch", "threads"})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace hwnas
