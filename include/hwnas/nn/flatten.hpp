#pragma once
/// \file
/// `Flatten`: [N, d1, d2, ...] -> [N, d1 * d2 * ...], e.g. between global
/// pooling and a classifier.

#include <string_view>

#include "hwnas/core/ops/reshape.hpp"
#include "hwnas/nn/stateless.hpp"

namespace hwnas::nn {
namespace detail {

struct FlattenOp {
  static constexpr std::string_view name = "Flatten";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::flatten(x);
  }
};

}  // namespace detail

template <Scalar T>
using BasicFlatten = BasicStatelessLayer<T, detail::FlattenOp>;
using Flatten = BasicFlatten<float>;

}  // namespace hwnas::nn
