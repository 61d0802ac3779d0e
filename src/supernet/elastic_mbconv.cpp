#include "hwnas/supernet/elastic_mbconv.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/pool.hpp"
#include "hwnas/core/ops/reshape.hpp"
#include "hwnas/nn/elastic_batch_norm.hpp"
#include "hwnas/nn/elastic_kernel.hpp"
#include "hwnas/nn/init.hpp"

namespace hwnas::supernet {
namespace {

bool strictly_ascending(const std::vector<std::int64_t>& values) {
  return std::adjacent_find(values.begin(), values.end(), std::greater_equal<>()) == values.end();
}

bool serves(const std::vector<std::int64_t>& values, std::int64_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

template <Scalar T>
void set_identity(BasicTensor<T>& matrix) {
  const std::int64_t n = matrix.size(0);
  matrix.fill(T{0});
  for (std::int64_t i = 0; i < n; ++i) matrix(i, i) = T{1};
}

/// Squeeze-excite hidden width for `mid` channels (as nn::MBConvSpec).
std::int64_t se_width(std::int64_t mid) { return nn::make_divisible(static_cast<double>(mid) / 4.0, 8); }

/// `t` with its slices along `axis` reordered: slice i of the result is slice
/// order[i] of `t`.
template <Scalar T>
void permute_axis(BasicTensor<T>& t, std::int64_t axis, std::span<const std::int64_t> order) {
  const auto dims = t.shape().dims();
  const auto a = static_cast<std::size_t>(axis);
  const std::int64_t size = dims[a];
  HWNAS_ASSERT(static_cast<std::int64_t>(order.size()) == size);
  const std::int64_t outer = hwnas::detail::dims_product(dims, 0, a);
  const std::int64_t inner = hwnas::detail::dims_product(dims, a + 1, dims.size());
  const BasicTensor<T> source = t;
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < size; ++i) {
      const T* from = source.data() + (o * size + order[static_cast<std::size_t>(i)]) * inner;
      std::copy(from, from + inner, t.data() + (o * size + i) * inner);
    }
  }
}

/// Sum of |w| over every axis but `axis`, per position along `axis`.
template <Scalar T>
std::vector<double> l1_along(const BasicTensor<T>& w, std::int64_t axis) {
  const auto dims = w.shape().dims();
  const auto a = static_cast<std::size_t>(axis);
  const std::int64_t size = dims[a];
  const std::int64_t outer = hwnas::detail::dims_product(dims, 0, a);
  const std::int64_t inner = hwnas::detail::dims_product(dims, a + 1, dims.size());
  std::vector<double> norms(static_cast<std::size_t>(size), 0.0);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < size; ++i)
      for (std::int64_t j = 0; j < inner; ++j)
        norms[static_cast<std::size_t>(i)] += std::abs(static_cast<double>(w[(o * size + i) * inner + j]));
  return norms;
}

/// Positions 0..n-1 ordered by descending `importance` within each band
/// [bounds[b], bounds[b + 1]); ties keep their order.
std::vector<std::int64_t> order_by_importance(const std::vector<double>& importance,
                                              const std::vector<std::int64_t>& bounds) {
  std::vector<std::int64_t> order(importance.size());
  std::iota(order.begin(), order.end(), std::int64_t{0});
  for (std::size_t b = 0; b + 1 < bounds.size(); ++b) {
    std::stable_sort(order.begin() + bounds[b], order.begin() + bounds[b + 1], [&](std::int64_t i, std::int64_t j) {
      return importance[static_cast<std::size_t>(i)] > importance[static_cast<std::size_t>(j)];
    });
  }
  return order;
}

template <Scalar T>
void permute_batch_norm(nn::BasicBatchNorm2d<T>& bn, std::span<const std::int64_t> order) {
  permute_axis(bn.weight().value(), 0, order);
  permute_axis(bn.bias().value(), 0, order);
  permute_axis(bn.running_mean(), 0, order);
  permute_axis(bn.running_var(), 0, order);
}

}  // namespace

template <Scalar T>
BasicElasticMBConv<T>::BasicElasticMBConv(ElasticMBConvSpec spec) : spec_(std::move(spec)) {
  const auto& kernels = spec_.kernel_sizes();
  const auto& expands = spec_.expand_ratios();
  HWNAS_CHECK_CONFIG(spec_.in_channels() >= 1 && spec_.out_channels() >= 1 && spec_.stride() >= 1,
                     "ElasticMBConv: channels and stride must be positive, got {} -> {}, stride {}",
                     spec_.in_channels(), spec_.out_channels(), spec_.stride());
  HWNAS_CHECK_CONFIG(!kernels.empty() && strictly_ascending(kernels) &&
                         std::all_of(kernels.begin(), kernels.end(), [](auto k) { return k >= 1 && k % 2 == 1; }),
                     "ElasticMBConv: kernel sizes must be odd, positive and ascending, got {}", kernels);
  HWNAS_CHECK_CONFIG(!expands.empty() && strictly_ascending(expands) && expands.front() > 1,
                     "ElasticMBConv: expand ratios must be above 1 and ascending, got {}", expands);
  active_ = models::MBConvChoice{kernels.back(), expands.back()};

  const std::int64_t mid = spec_.max_mid_channels();
  const std::int64_t k = spec_.max_kernel_size();
  const auto conv = [](nn::Conv2dSpec s) { return std::make_shared<nn::BasicConv2d<T>>(s.bias(false)); };
  const auto bn = [](std::int64_t channels) { return std::make_shared<nn::BasicBatchNorm2d<T>>(channels); };
  expand_conv_ = this->register_module("expand_conv", conv(nn::Conv2dSpec{spec_.in_channels(), mid, 1}));
  expand_bn_ = this->register_module("expand_bn", bn(mid));
  depthwise_conv_ = this->register_module(
      "depthwise_conv", conv(nn::Conv2dSpec{mid, mid, k}.stride(spec_.stride()).padding(k / 2).groups(mid)));
  depthwise_bn_ = this->register_module("depthwise_bn", bn(mid));
  if (spec_.se()) se_ = this->register_module("se", std::make_shared<nn::BasicSqueezeExcite<T>>(mid, se_width(mid)));
  project_conv_ = this->register_module("project_conv", conv(nn::Conv2dSpec{mid, spec_.out_channels(), 1}));
  project_bn_ = this->register_module("project_bn", bn(spec_.out_channels()));
  for (std::size_t i = 0; i + 1 < kernels.size(); ++i) {
    const std::int64_t area = kernels[i] * kernels[i];
    auto& matrix = this->register_parameter(fmt::format("kernel_transform_{}to{}", kernels[i + 1], kernels[i]),
                                            BasicTensor<T>(Shape{area, area}), nn::ParameterKind::weight);
    set_identity(matrix.value());
    transforms_.push_back(&matrix);
  }
  activation_ = nn::make_activation<T>(spec_.activation());
}

template <Scalar T>
void BasicElasticMBConv<T>::reset_parameters(Rng& /*rng*/) {
  for (auto* matrix : transforms_) set_identity(matrix->value());
}

template <Scalar T>
std::size_t BasicElasticMBConv<T>::kernel_index(std::int64_t kernel_size) const {
  const auto& kernels = spec_.kernel_sizes();
  const auto it = std::find(kernels.begin(), kernels.end(), kernel_size);
  HWNAS_CHECK_CONFIG(it != kernels.end(), "ElasticMBConv: kernel size {} is not one of {}", kernel_size, kernels);
  return static_cast<std::size_t>(it - kernels.begin());
}

template <Scalar T>
void BasicElasticMBConv<T>::check_choice(models::MBConvChoice choice) const {
  static_cast<void>(kernel_index(choice.kernel_size));
  HWNAS_CHECK_CONFIG(serves(spec_.expand_ratios(), choice.expand), "ElasticMBConv: expand ratio {} is not one of {}",
                     choice.expand, spec_.expand_ratios());
}

template <Scalar T>
void BasicElasticMBConv<T>::set_active(models::MBConvChoice choice) {
  check_choice(choice);
  active_ = choice;
}

template <Scalar T>
BasicVariable<T> BasicElasticMBConv<T>::derive_kernel(const BasicVariable<T>& stored, std::int64_t kernel_size) const {
  const auto& kernels = spec_.kernel_sizes();
  BasicVariable<T> kernel = stored;
  // Walk down one size at a time: each smaller kernel comes from the already
  // transformed larger one.
  for (std::size_t i = kernels.size() - 1; i > kernel_index(kernel_size); --i)
    kernel = nn::transform_kernel(nn::centre_crop_kernel(kernel, kernels[i - 1]), *transforms_[i - 1]);
  return kernel;
}

template <Scalar T>
BasicVariable<T> BasicElasticMBConv<T>::kernel(std::int64_t kernel_size) const {
  return derive_kernel(depthwise_conv_->weight(), kernel_size);
}

template <Scalar T>
BasicVariable<T> BasicElasticMBConv<T>::kernel_transform(std::int64_t from) const {
  const std::size_t i = kernel_index(from);
  HWNAS_CHECK_CONFIG(i >= 1, "ElasticMBConv: no kernel size below {} to transform to", from);
  return *transforms_[i - 1];
}

template <Scalar T>
typename BasicElasticMBConv<T>::Weights BasicElasticMBConv<T>::weights(models::MBConvChoice choice) const {
  check_choice(choice);
  const std::int64_t mid = spec_.mid_channels(choice.expand);
  Weights w;
  w.expand = hwnas::narrow(expand_conv_->weight(), 0, 0, mid);
  // Slicing the channels first transforms only the kernels that are used.
  w.depthwise = derive_kernel(hwnas::narrow(depthwise_conv_->weight(), 0, 0, mid), choice.kernel_size);
  if (se_) {
    const std::int64_t hidden = se_width(mid);
    w.se_reduce = hwnas::narrow(hwnas::narrow(se_->reduce()->weight(), 0, 0, hidden), 1, 0, mid);
    w.se_reduce_bias = hwnas::narrow(se_->reduce()->bias(), 0, 0, hidden);
    w.se_expand = hwnas::narrow(hwnas::narrow(se_->expand()->weight(), 0, 0, mid), 1, 0, hidden);
    w.se_expand_bias = hwnas::narrow(se_->expand()->bias(), 0, 0, mid);
  }
  w.project = hwnas::narrow(project_conv_->weight(), 1, 0, mid);
  return w;
}

template <Scalar T>
BasicVariable<T> BasicElasticMBConv<T>::forward(const BasicVariable<T>& x) {
  HWNAS_CHECK_SHAPE(x.dim() == 4 && x.size(1) == spec_.in_channels(),
                    "ElasticMBConv: expected input [N, {}, H, W], got {}", spec_.in_channels(), x.shape());
  const Weights w = weights(active_);
  const std::int64_t mid = spec_.mid_channels(active_.expand);
  const std::int64_t k = active_.kernel_size;
  auto& act = *activation_;
  BasicVariable<T> h = act(nn::leading_batch_norm2d(*expand_bn_, hwnas::conv2d(x, w.expand, BasicVariable<T>())));
  h = hwnas::conv2d(h, w.depthwise, BasicVariable<T>(),
                    Conv2dOptions{}.stride(spec_.stride()).padding(k / 2).groups(mid));
  h = act(nn::leading_batch_norm2d(*depthwise_bn_, h));
  if (se_) {
    const auto squeezed = hwnas::relu(hwnas::conv2d(hwnas::global_avg_pool2d(h), w.se_reduce, w.se_reduce_bias));
    h = hwnas::channel_mul(h, hwnas::hsigmoid(hwnas::conv2d(squeezed, w.se_expand, w.se_expand_bias)));
  }
  h = (*project_bn_)(hwnas::conv2d(h, w.project, BasicVariable<T>()));
  return static_spec(active_).residual() ? hwnas::add(h, x) : h;
}

template <Scalar T>
nn::MBConvSpec BasicElasticMBConv<T>::static_spec(models::MBConvChoice choice) const {
  check_choice(choice);
  return nn::MBConvSpec{spec_.in_channels(), spec_.out_channels(), choice.kernel_size}
      .expand(choice.expand)
      .stride(spec_.stride())
      .activation(spec_.activation())
      .se(spec_.se());
}

template <Scalar T>
std::vector<NamedTensor<T>> BasicElasticMBConv<T>::static_state(models::MBConvChoice choice) const {
  const NoGradGuard no_grad;
  const Weights w = weights(choice);
  const std::int64_t mid = spec_.mid_channels(choice.expand);
  std::vector<NamedTensor<T>> state;
  const auto add_bn = [&](const std::string& name, const nn::BasicBatchNorm2d<T>& bn, std::int64_t channels) {
    state.emplace_back(name + ".weight", nn::leading_entries(bn.weight().value(), channels));
    state.emplace_back(name + ".bias", nn::leading_entries(bn.bias().value(), channels));
    state.emplace_back(name + ".running_mean", nn::leading_entries(bn.running_mean(), channels));
    state.emplace_back(name + ".running_var", nn::leading_entries(bn.running_var(), channels));
  };
  state.emplace_back("expand_conv.weight", w.expand.value());
  add_bn("expand_bn", *expand_bn_, mid);
  state.emplace_back("depthwise_conv.weight", w.depthwise.value());
  add_bn("depthwise_bn", *depthwise_bn_, mid);
  if (se_) {
    state.emplace_back("se.reduce.weight", w.se_reduce.value());
    state.emplace_back("se.reduce.bias", w.se_reduce_bias.value());
    state.emplace_back("se.expand.weight", w.se_expand.value());
    state.emplace_back("se.expand.bias", w.se_expand_bias.value());
  }
  state.emplace_back("project_conv.weight", w.project.value());
  add_bn("project_bn", *project_bn_, spec_.out_channels());
  return state;
}

template <Scalar T>
void BasicElasticMBConv<T>::reorganize_channels(std::int64_t expand_stage) {
  const auto& expands = spec_.expand_ratios();
  HWNAS_CHECK_CONFIG(expand_stage >= 0 && expand_stage < std::ssize(expands),
                     "ElasticMBConv: expand stage must be in [0, {}), got {}", expands.size(), expand_stage);
  // Band bounds: 0, then the widths of the s + 1 largest expand ratios,
  // narrowest first; stage 0 is the single band [0, stored width).
  std::vector<std::int64_t> bounds{0};
  const auto largest = static_cast<std::int64_t>(expands.size()) - 1;
  for (std::int64_t i = largest - expand_stage; i <= largest; ++i)
    bounds.push_back(spec_.mid_channels(expands[static_cast<std::size_t>(i)]));

  const NoGradGuard no_grad;
  const auto order = order_by_importance(l1_along(project_conv_->weight().value(), 1), bounds);
  permute_axis(project_conv_->weight().value(), 1, order);
  permute_axis(depthwise_conv_->weight().value(), 0, order);
  permute_batch_norm(*depthwise_bn_, order);
  permute_axis(expand_conv_->weight().value(), 0, order);
  permute_batch_norm(*expand_bn_, order);
  if (!se_) return;
  auto& reduce = *se_->reduce();
  auto& expand = *se_->expand();
  permute_axis(expand.weight().value(), 0, order);
  permute_axis(expand.bias().value(), 0, order);
  permute_axis(reduce.weight().value(), 1, order);

  const auto hidden_order = order_by_importance(l1_along(expand.weight().value(), 1), {0, se_->se_channels()});
  permute_axis(expand.weight().value(), 1, hidden_order);
  permute_axis(reduce.weight().value(), 0, hidden_order);
  permute_axis(reduce.bias().value(), 0, hidden_order);
}

template class BasicElasticMBConv<float>;
template class BasicElasticMBConv<double>;

}  // namespace hwnas::supernet
