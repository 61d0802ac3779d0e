#include "hwnas/models/nb201.hpp"

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/flatten.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/pool.hpp"
#include "hwnas/nn/shortcut.hpp"

namespace hwnas::models {
namespace {

/// ReLU -> Conv(k x k, no bias) -> BN, NAS-Bench-201's ReLUConvBN.
template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> relu_conv_bn(std::int64_t in, std::int64_t out, std::int64_t k,
                                                     std::int64_t stride) {
  auto seq = std::make_shared<nn::BasicSequential<T>>();
  seq->add("act", std::make_shared<nn::BasicReLU<T>>());
  seq->add("conv",
           std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{in, out, k}.stride(stride).padding(k / 2).bias(false)));
  seq->add("bn", std::make_shared<nn::BasicBatchNorm2d<T>>(out));
  return seq;
}

/// A cell: each edge's op as a child named after its nodes (`edge_2_1`);
/// `none` and `skip_connect` edges need no module.
template <Scalar T>
class Cell : public nn::BasicModule<T> {
 public:
  using Variable = BasicVariable<T>;

  Cell(const Nb201Cell& ops, std::int64_t channels) : ops_(ops) {
    for (std::size_t e = 0; e < ops.size(); ++e) {
      const std::string name = fmt::format("edge_{}_{}", nb201_edges[e].to, nb201_edges[e].from);
      switch (ops[e]) {
        case Nb201Op::nor_conv_1x1:
          edges_[e] = this->register_module(name, relu_conv_bn<T>(channels, channels, 1, 1));
          break;
        case Nb201Op::nor_conv_3x3:
          edges_[e] = this->register_module(name, relu_conv_bn<T>(channels, channels, 3, 1));
          break;
        case Nb201Op::avg_pool_3x3: {
          const auto window = Pool2dOptions{}.kernel(3).stride(1).padding(1).count_include_pad(false);
          edges_[e] = this->register_module(name, std::make_shared<nn::BasicAvgPool2d<T>>(window));
          break;
        }
        case Nb201Op::none:
        case Nb201Op::skip_connect: break;
      }
    }
  }

  Variable forward(const Variable& x) override {
    std::array<Variable, 4> nodes{x};
    for (int j = 1; j < 4; ++j) {
      Variable sum;
      for (std::size_t e = 0; e < ops_.size(); ++e) {
        if (nb201_edges[e].to != j || ops_[e] == Nb201Op::none) continue;
        const Variable& input = nodes[static_cast<std::size_t>(nb201_edges[e].from)];
        const Variable term = ops_[e] == Nb201Op::skip_connect ? input : (*edges_[e])(input);
        sum = sum.defined() ? hwnas::add(sum, term) : term;
      }
      // A node whose every incoming edge is `none` is zeros.
      nodes[static_cast<std::size_t>(j)] = sum.defined() ? sum : Variable(BasicTensor<T>(x.shape()));
    }
    return nodes[3];
  }
  [[nodiscard]] std::string type_name() const override { return "Nb201Cell"; }

 private:
  Nb201Cell ops_;
  std::array<std::shared_ptr<nn::BasicModule<T>>, 6> edges_;
};

/// ResNet's basic block as the benchmark uses it between stages.
template <Scalar T>
class ReductionBlock : public nn::BasicModule<T>, public nn::HasShortcut {
 public:
  using Variable = BasicVariable<T>;

  ReductionBlock(std::int64_t in, std::int64_t out)
      : conv_a_(this->register_module("conv_a", relu_conv_bn<T>(in, out, 3, 2))),
        conv_b_(this->register_module("conv_b", relu_conv_bn<T>(out, out, 3, 1))),
        shortcut_(this->register_module("shortcut", std::make_shared<nn::BasicSequential<T>>())) {
    shortcut_->add("pool", std::make_shared<nn::BasicAvgPool2d<T>>(Pool2dOptions{}.kernel(2).stride(2)));
    shortcut_->add("conv", std::make_shared<nn::BasicConv2d<T>>(nn::Conv2dSpec{in, out, 1}.bias(false)));
  }

  Variable forward(const Variable& x) override {
    const Variable main = (*conv_b_)((*conv_a_)(x));
    return shortcut_on_ ? hwnas::add(main, (*shortcut_)(x)) : main;
  }
  [[nodiscard]] std::string type_name() const override { return "Nb201Reduction"; }
  void set_shortcut(bool on) override { shortcut_on_ = on; }

 private:
  std::shared_ptr<nn::BasicSequential<T>> conv_a_;
  std::shared_ptr<nn::BasicSequential<T>> conv_b_;
  std::shared_ptr<nn::BasicSequential<T>> shortcut_;
  bool shortcut_on_ = true;
};

void check(const Nb201Config& c) {
  HWNAS_CHECK_CONFIG(c.in_channels >= 1 && c.classes >= 1 && c.cells_per_stage >= 1 && c.width >= 1,
                     "nb201: sizes must be positive (in_channels {}, classes {}, cells_per_stage {}, width {})",
                     c.in_channels, c.classes, c.cells_per_stage, c.width);
  // Both reductions halve the size on the main path and the shortcut alike only for multiples of 4.
  HWNAS_CHECK_CONFIG(c.input_size >= 4 && c.input_size % 4 == 0,
                     "nb201: the input size must be a positive multiple of 4, got {}", c.input_size);
}

}  // namespace

std::string_view to_string(Nb201Op op) {
  switch (op) {
    case Nb201Op::none: return "none";
    case Nb201Op::skip_connect: return "skip_connect";
    case Nb201Op::nor_conv_1x1: return "nor_conv_1x1";
    case Nb201Op::nor_conv_3x3: return "nor_conv_3x3";
    case Nb201Op::avg_pool_3x3: return "avg_pool_3x3";
  }
  return "?";
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> nb201_network(const Nb201Config& config) {
  check(config);
  auto net = std::make_shared<nn::BasicSequential<T>>();
  net->add("stem_conv", std::make_shared<nn::BasicConv2d<T>>(
                            nn::Conv2dSpec{config.in_channels, config.width, 3}.padding(1).bias(false)));
  net->add("stem_bn", std::make_shared<nn::BasicBatchNorm2d<T>>(config.width));
  auto cells = net->add("cells", std::make_shared<nn::BasicSequential<T>>());
  std::int64_t channels = config.width;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      cells->template emplace_back<ReductionBlock<T>>(channels, 2 * channels);
      channels *= 2;
    }
    for (std::int64_t i = 0; i < config.cells_per_stage; ++i)
      cells->template emplace_back<Cell<T>>(config.cell, channels);
  }
  net->add("last_bn", std::make_shared<nn::BasicBatchNorm2d<T>>(channels));
  net->add("last_act", std::make_shared<nn::BasicReLU<T>>());
  net->add("pool", std::make_shared<nn::BasicGlobalAvgPool2d<T>>());
  net->add("flatten", std::make_shared<nn::BasicFlatten<T>>());
  net->add("classifier", std::make_shared<nn::BasicLinear<T>>(channels, config.classes));
  return net;
}

template std::shared_ptr<nn::BasicSequential<float>> nb201_network(const Nb201Config&);
template std::shared_ptr<nn::BasicSequential<double>> nb201_network(const Nb201Config&);

std::vector<LayerSummary> nb201_summary(const Nb201Config& config) {
  check(config);
  std::vector<LayerSummary> layers;
  std::int64_t size = config.input_size;
  std::int64_t c = config.width;
  const auto row = [](std::string type, Shape in, Shape out, std::int64_t kernel, std::int64_t stride,
                      std::string activation, std::int64_t macs, std::int64_t params) {
    return LayerSummary{std::move(type), std::move(in), std::move(out), kernel, stride, 0, false, false,
                        std::move(activation), macs, params};
  };
  layers.push_back(row("conv", Shape{config.in_channels, size, size}, Shape{c, size, size}, 3, 1, "",
                       size * size * config.in_channels * c * 9, config.in_channels * c * 9 + 2 * c));
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      const std::int64_t out = 2 * c;
      const std::int64_t half = size / 2;
      layers.push_back(row("reduction", Shape{c, size, size}, Shape{out, half, half}, 3, 2, "relu",
                           half * half * (c * out * 9 + out * out * 9 + c * out),
                           c * out * 9 + 2 * out + out * out * 9 + 2 * out + c * out));
      c = out;
      size = half;
    }
    std::int64_t macs = 0;
    std::int64_t params = 0;
    for (const Nb201Op op : config.cell) {
      const std::int64_t k = op == Nb201Op::nor_conv_3x3 ? 3 : op == Nb201Op::nor_conv_1x1 ? 1 : 0;
      if (k == 0) continue;
      macs += size * size * c * c * k * k;
      params += c * c * k * k + 2 * c;
    }
    for (std::int64_t i = 0; i < config.cells_per_stage; ++i)
      layers.push_back(row("cell", Shape{c, size, size}, Shape{c, size, size}, 0, 1, "relu", macs, params));
  }
  layers.push_back(row("bn", Shape{c, size, size}, Shape{c, size, size}, 0, 1, "relu", 0, 2 * c));
  layers.push_back(row("pool", Shape{c, size, size}, Shape{c, 1, 1}, size, 1, "", 0, 0));
  layers.push_back(row("linear", Shape{c}, Shape{config.classes}, 0, 1, "", c * config.classes,
                       c * config.classes + config.classes));
  return layers;
}

}  // namespace hwnas::models
