// Forward values and gradients against PyTorch (float64), see generate.py.
#include <functional>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "golden/golden.hpp"
#include "hwnas/core/ops/batch_norm.hpp"
#include "hwnas/core/ops/conv.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/core/ops/resize.hpp"

namespace hwnas {
namespace {

using nlohmann::json;

template <Scalar T>
using Inputs = std::map<std::string, BasicVariable<T>>;

template <Scalar T>
using Forward = std::function<BasicVariable<T>(Inputs<T>&)>;

// Double matches PyTorch's float64 to rounding of a few hundred-term sums.
// Float is bounded by float32 rounding (2^-24 ~ 6e-8) accumulated over up to
// ~250 products per output plus the float cast of the inputs: 2e-4 relative
// (or absolute near zero) leaves a margin of about ten.
template <Scalar T>
constexpr double tolerance = std::is_same_v<T, double> ? 1e-9 : 2e-4;

template <Scalar T>
void expect_close(const BasicTensor<T>& actual, const json& expected, const std::string& what) {
  const auto reference = testing::golden_tensor<double>(expected);
  ASSERT_EQ(actual.shape(), reference.shape()) << what;
  for (std::int64_t i = 0; i < actual.numel(); ++i) {
    ASSERT_NEAR(actual[i], reference[i], tolerance<T> * (1.0 + std::abs(reference[i])))
        << what << ", element " << i;
  }
}

/// Runs `forward` on the case's inputs, compares the output, back-propagates
/// the case's `grad_out` and compares every recorded gradient.
template <Scalar T>
void check_case(const json& c, const Forward<T>& forward) {
  SCOPED_TRACE(c.at("name").get<std::string>());
  Inputs<T> inputs;
  for (const auto& [name, value] : c.at("inputs").items()) {
    inputs.emplace(name, BasicVariable<T>(testing::golden_tensor<T>(value), true));
  }
  BasicVariable<T> out = forward(inputs);
  expect_close(out.value(), c.at("output"), "output");
  out.backward(testing::golden_tensor<T>(c.at("grad_out")));
  for (const auto& [name, grad] : c.at("grads").items()) expect_close(inputs.at(name).grad(), grad, "grad of " + name);
}

template <class T>
class Golden : public ::testing::Test {};
using ScalarTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Golden, ScalarTypes);

TYPED_TEST(Golden, Conv2d) {
  using T = TypeParam;
  for (const auto& c : testing::golden_cases("conv")) {
    const auto options = Conv2dOptions{}
                             .stride(c.at("stride").get<std::int64_t>())
                             .padding(c.at("padding").get<std::int64_t>())
                             .groups(c.at("groups").get<std::int64_t>());
    check_case<T>(c, [&](Inputs<T>& in) {
      const BasicVariable<T> bias = in.contains("bias") ? in.at("bias") : BasicVariable<T>{};
      return conv2d(in.at("x"), in.at("weight"), bias, options);
    });
  }
}

TYPED_TEST(Golden, BatchNorm2d) {
  using T = TypeParam;
  for (const auto& c : testing::golden_cases("batch_norm")) {
    auto running_mean = testing::golden_tensor<T>(c.at("running_before").at("running_mean"));
    auto running_var = testing::golden_tensor<T>(c.at("running_before").at("running_var"));
    const auto options = BatchNormOptions{}
                             .training(c.at("training").get<bool>())
                             .momentum(c.at("momentum").get<double>())
                             .eps(c.at("eps").get<double>());
    check_case<T>(c, [&](Inputs<T>& in) {
      return batch_norm2d(in.at("x"), in.at("gamma"), in.at("beta"), running_mean, running_var, options);
    });
    expect_close(running_mean, c.at("running_after").at("running_mean"), "running_mean");
    expect_close(running_var, c.at("running_after").at("running_var"), "running_var");
  }
}

TYPED_TEST(Golden, ResizeBilinear) {
  using T = TypeParam;
  for (const auto& c : testing::golden_cases("resize")) {
    const auto size = c.at("size").get<std::vector<std::int64_t>>();
    check_case<T>(c, [&](Inputs<T>& in) { return resize_bilinear(in.at("x"), size[0], size[1]); });
  }
}

TYPED_TEST(Golden, CrossEntropy) {
  using T = TypeParam;
  for (const auto& c : testing::golden_cases("cross_entropy")) {
    const auto labels = c.at("labels").get<std::vector<std::int32_t>>();
    const double smoothing = c.at("label_smoothing").get<double>();
    check_case<T>(c, [&](Inputs<T>& in) { return cross_entropy(in.at("logits"), labels, smoothing); });
  }
}

}  // namespace
}  // namespace hwnas
