#include "hwnas/estimate/synflow.hpp"

#include <cmath>

#include "hwnas/nn/batch_norm.hpp"

namespace hwnas::estimate {

template <Scalar T>
double synflow(nn::BasicModule<T>& net, const Shape& input) {
  HWNAS_CHECK_SHAPE(input.rank() == 3, "synflow: the input shape must be [C, H, W], got {}", input);
  for (auto& p : net.named_parameters()) p.variable.value().array() = p.variable.value().array().abs();
  // Evaluation mode: the bypassed BN layers must not compute batch statistics of one image.
  net.eval();
  net.zero_grad();
  BasicVariable<T> out;
  {
    nn::BasicForwardHook<T> bypass_bn([](nn::BasicModule<T>& layer, const BasicVariable<T>& x, BasicVariable<T> y) {
      return dynamic_cast<nn::BasicBatchNorm2d<T>*>(&layer) ? x : y;
    });
    out = net(BasicVariable<T>(BasicTensor<T>(Shape{1, input[0], input[1], input[2]}, T{1})));
  }
  double score = 0.0;
  if (out.requires_grad()) {
    out.backward(BasicTensor<T>(out.shape(), T{1}));
    for (const auto& p : net.named_parameters())
      if (p.kind == nn::ParameterKind::weight && p.variable.has_grad())
        score += (p.variable.value().array() * p.variable.grad().array()).template cast<double>().abs().sum();
  }
  net.zero_grad();
  return std::log(score);
}

template double synflow(nn::BasicModule<float>&, const Shape&);
template double synflow(nn::BasicModule<double>&, const Shape&);

}  // namespace hwnas::estimate
