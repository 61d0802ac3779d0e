#pragma once
/// \file
/// Pooling layers: `AvgPool2d` and `MaxPool2d` over square windows described
/// by the op's `Pool2dOptions` (e.g. `MaxPool2d(Pool2dOptions{}.kernel(3).stride(2).padding(1))`),
/// and `GlobalAvgPool2d`: [N, C, H, W] -> [N, C, 1, 1].

#include <string>
#include <string_view>

#include "hwnas/core/ops/pool.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/stateless.hpp"

namespace hwnas::nn {
namespace detail {

struct AvgPool2dOp {
  static constexpr std::string_view name = "AvgPool2d";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x, const Pool2dOptions& options) {
    return hwnas::avg_pool2d(x, options);
  }
};

struct MaxPool2dOp {
  static constexpr std::string_view name = "MaxPool2d";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x, const Pool2dOptions& options) {
    return hwnas::max_pool2d(x, options);
  }
};

struct GlobalAvgPool2dOp {
  static constexpr std::string_view name = "GlobalAvgPool2d";
  template <Scalar T>
  static BasicVariable<T> apply(const BasicVariable<T>& x) {
    return hwnas::global_avg_pool2d(x);
  }
};

}  // namespace detail

/// A windowed pooling layer; `Op` is the pooling op and its name.
template <Scalar T, class Op>
class BasicPool2d : public BasicModule<T> {
 public:
  /// Throws ConfigError for a window the op would reject on every input.
  explicit BasicPool2d(const Pool2dOptions& options = {}) : options_(options) {
    HWNAS_CHECK_CONFIG(options.kernel_ >= 1 && options.stride_ >= 0,
                       "{}: kernel must be >= 1 and stride >= 0 (0 = kernel), got kernel {} and stride {}", Op::name,
                       options.kernel_, options.stride_);
    HWNAS_CHECK_CONFIG(options.padding_ >= 0 && options.padding_ <= options.kernel_ / 2,
                       "{}: padding must be in [0, kernel / 2], got padding {} for kernel {}", Op::name,
                       options.padding_, options.kernel_);
  }

  BasicVariable<T> forward(const BasicVariable<T>& x) override { return Op::template apply<T>(x, options_); }
  [[nodiscard]] std::string type_name() const override { return std::string(Op::name); }
  [[nodiscard]] const Pool2dOptions& options() const { return options_; }

 private:
  Pool2dOptions options_;
};

template <Scalar T>
using BasicAvgPool2d = BasicPool2d<T, detail::AvgPool2dOp>;
template <Scalar T>
using BasicMaxPool2d = BasicPool2d<T, detail::MaxPool2dOp>;
template <Scalar T>
using BasicGlobalAvgPool2d = BasicStatelessLayer<T, detail::GlobalAvgPool2dOp>;

using AvgPool2d = BasicAvgPool2d<float>;
using MaxPool2d = BasicMaxPool2d<float>;
using GlobalAvgPool2d = BasicGlobalAvgPool2d<float>;

}  // namespace hwnas::nn
