// Convolution speed at the layer sizes of a Fashion-MNIST MobileNet-style
// network, for training batches (64) and single-image inference (1).
// The thread count comes from HWNAS_NUM_THREADS.
//
//   HWNAS_NUM_THREADS=2 bench_conv --benchmark_min_time=0.2 --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true

#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/random.hpp"

namespace hwnas {
namespace {

struct ConvLayer {
  std::string name;
  std::int64_t in_channels;
  std::int64_t out_channels;
  std::int64_t size;  ///< Input height and width.
  std::int64_t kernel;
  std::int64_t stride;
  std::int64_t groups;
  bool first_layer;  ///< The network input needs no gradient.
};

const std::vector<ConvLayer>& layers() {
  static const std::vector<ConvLayer> all = {
      {"pointwise_24to144_14x14", 24, 144, 14, 1, 1, 1, false},
      {"pointwise_144to24_14x14", 144, 24, 14, 1, 1, 1, false},
      {"depthwise_k3_144ch_14x14", 144, 144, 14, 3, 1, 144, false},
      {"depthwise_k5_144ch_14x14", 144, 144, 14, 5, 1, 144, false},
      {"depthwise_k7_144ch_14x14", 144, 144, 14, 7, 1, 144, false},
      {"depthwise_k3_s2_96ch_28to14", 96, 96, 28, 3, 2, 96, false},
      {"depthwise_k5_s2_96ch_28to14", 96, 96, 28, 5, 2, 96, false},
      {"stem_3x3_s2_1to16_28to14", 1, 16, 28, 3, 2, 1, true},
  };
  return all;
}

Tensor random_tensor(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (auto& v : t.values()) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  return t;
}

void bench_conv(benchmark::State& state, const ConvLayer& layer, bool backward) {
  const std::int64_t batch = state.range(0);
  Rng rng(1);
  Variable x(random_tensor({batch, layer.in_channels, layer.size, layer.size}, rng), backward && !layer.first_layer);
  Variable w(random_tensor({layer.out_channels, layer.in_channels / layer.groups, layer.kernel, layer.kernel}, rng),
             backward);
  const auto options = Conv2dOptions{}.stride(layer.stride).padding(layer.kernel / 2).groups(layer.groups);
  const std::int64_t out_size = conv_output_size(layer.size, layer.kernel, layer.stride, layer.kernel / 2);
  const Tensor seed({batch, layer.out_channels, out_size, out_size}, 1.0F);
  for (auto _ : state) {
    if (backward) {
      conv2d(x, w, Variable(), options).backward(seed);
    } else {
      NoGradGuard no_grad;
      Variable y = conv2d(x, w, Variable(), options);
      benchmark::DoNotOptimize(y.value().data());
    }
  }
  const auto geometry =
      detail::conv2d_geometry(x.shape(), w.shape(), nullptr, options.stride(), options.padding(), options.groups());
  // Forward, and then the weight gradient and (past the first layer) the
  // input gradient, each as many multiply-adds as the forward pass.
  const double passes = backward ? (layer.first_layer ? 2.0 : 3.0) : 1.0;
  const double flops = 2.0 * static_cast<double>(geometry.macs()) * passes;
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = num_threads();
  state.SetItemsProcessed(state.iterations() * batch);
}

const bool registered = [] {
  for (const auto& layer : layers()) {
    for (const bool backward : {false, true}) {
      const std::string name = "conv/" + layer.name + (backward ? "/fwd+bwd" : "/fwd");
      benchmark::RegisterBenchmark(name.c_str(),
                                   [&layer, backward](benchmark::State& state) { bench_conv(state, layer, backward); })
          ->ArgName("batch")
          ->Arg(64)
          ->Arg(1)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}();

}  // namespace
}  // namespace hwnas
