#pragma once
/// \file
/// `BasicStatelessLayer<T, Op>`: the one template behind every layer that is a
/// single op with neither parameters nor options (activations, global
/// pooling, flattening). `Op` supplies the op and the layer's name:
///
///     struct ReLUOp {
///       static constexpr std::string_view name = "ReLU";
///       template <Scalar T>
///       static BasicVariable<T> apply(const BasicVariable<T>& x) { return relu(x); }
///     };

#include <string>
#include <string_view>

#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

template <Scalar T, class Op>
class BasicStatelessLayer : public BasicModule<T> {
 public:
  BasicVariable<T> forward(const BasicVariable<T>& x) override { return Op::template apply<T>(x); }
  [[nodiscard]] std::string type_name() const override { return std::string(Op::name); }
};

}  // namespace hwnas::nn
