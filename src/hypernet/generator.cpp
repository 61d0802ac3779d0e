#include "hwnas/hypernet/generator.hpp"

#include <algorithm>
#include <cmath>

#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/hypernet/block_code.hpp"
#include "hwnas/nn/init.hpp"

namespace hwnas::hypernet {

template <Scalar T>
BasicSmashGenerator<T>::BasicSmashGenerator(GeneratedShapes shapes, std::int64_t hidden)
    : shapes_(shapes), hidden_(hidden) {
  HWNAS_CHECK_CONFIG(shapes.mid >= 1 && shapes.in >= 1 && shapes.out >= 1 && shapes.kernel >= 1 && hidden >= 1,
                     "SmashGenerator: sizes must be positive, got mid {} in {} out {} kernel {} hidden {}", shapes.mid,
                     shapes.in, shapes.out, shapes.kernel, hidden);
  hidden1_ = add_layer("hidden1", block_code_size, hidden);
  hidden2_ = add_layer("hidden2", hidden, hidden);
  expand_ = add_layer("expand", hidden, shapes.expand_size());
  depthwise_ = add_layer("depthwise", hidden, shapes.depthwise_size());
  project_ = add_layer("project", hidden, shapes.project_size());
}

template <Scalar T>
typename BasicSmashGenerator<T>::Layer BasicSmashGenerator<T>::add_layer(const std::string& name, std::int64_t in,
                                                                         std::int64_t out) {
  Layer layer;
  layer.weight = &this->register_parameter(name + "_weight", BasicTensor<T>(Shape{out, in}), nn::ParameterKind::weight);
  layer.bias = &this->register_parameter(name + "_bias", BasicTensor<T>(Shape{out}), nn::ParameterKind::bias);
  return layer;
}

template <Scalar T>
BasicVariable<T> BasicSmashGenerator<T>::apply(const Layer& layer, const BasicVariable<T>& x) {
  return hwnas::linear(x, *layer.weight, *layer.bias);
}

template <Scalar T>
BasicVariable<T> BasicSmashGenerator<T>::forward(const BasicVariable<T>& codes) {
  HWNAS_CHECK_SHAPE(codes.dim() == 2 && codes.size(1) == block_code_size,
                    "SmashGenerator: expected codes [n, {}], got {}", block_code_size, codes.shape());
  return hwnas::relu(apply(hidden2_, hwnas::relu(apply(hidden1_, codes))));
}

template <Scalar T>
GeneratedWeights<T> BasicSmashGenerator<T>::generate(const BasicVariable<T>& codes) {
  const BasicVariable<T> features = (*this)(codes);
  return {apply(expand_, features), apply(depthwise_, features), apply(project_, features)};
}

template <Scalar T>
void BasicSmashGenerator<T>::reset_parameters(Rng& rng) {
  for (const Layer* layer : {&hidden1_, &hidden2_}) {
    nn::init::kaiming_normal(layer->weight->value(), rng, nn::init::FanMode::fan_in);
    nn::init::zeros(layer->bias->value());
  }
  // The mean square of the features over every code the space has: the
  // variance one unit of a head's weight contributes per feature.
  double mean_square = 0.0;
  {
    const NoGradGuard no_grad;
    const BasicTensor<T> features = (*this)(BasicVariable<T>(all_block_codes<T>())).value();
    mean_square = static_cast<double>(features.array().square().mean());
  }
  const auto head_init = [&](const Layer& head, const Shape& conv_shape) {
    const double target = nn::init::relu_gain / std::sqrt(static_cast<double>(nn::init::fan_out(conv_shape)));
    const double feature_std = target / std::sqrt(2.0 * static_cast<double>(hidden_) * std::max(mean_square, 1e-12));
    nn::init::normal(head.weight->value(), rng, 0.0, feature_std);
    nn::init::normal(head.bias->value(), rng, 0.0, target / std::sqrt(2.0));
  };
  head_init(expand_, Shape{shapes_.mid, shapes_.in, 1, 1});
  head_init(depthwise_, Shape{shapes_.mid, 1, shapes_.kernel, shapes_.kernel});
  head_init(project_, Shape{shapes_.out, shapes_.mid, 1, 1});
}

template class BasicSmashGenerator<float>;
template class BasicSmashGenerator<double>;

}  // namespace hwnas::hypernet
