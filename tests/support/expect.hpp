#pragma once
// Assertions shared by the test suites: errors with the right type and
// message, and tensors that agree element by element.

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "hwnas/core/tensor.hpp"
#include "support/printers.hpp"

namespace hwnas::testing {

/// Expects `f()` to throw `E` whose message is exactly `message`.
template <class E, class F>
void expect_error_message(F&& f, std::string_view message) {
  try {
    f();
    ADD_FAILURE() << "expected an error: " << message;
  } catch (const E& e) {
    EXPECT_EQ(std::string_view(e.what()), message);
  }
}

/// Expects `f()` to throw `E` whose message contains `fragment`.
template <class E, class F>
void expect_error_containing(F&& f, std::string_view fragment) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing: " << fragment;
  } catch (const E& e) {
    EXPECT_NE(std::string_view(e.what()).find(fragment), std::string_view::npos) << e.what();
  }
}

/// Expects equal shapes and every element within `tol` (the default suits
/// double-precision results of a few operations).
template <Scalar T>
void expect_tensors_near(const BasicTensor<T>& actual, const BasicTensor<T>& expected, double tol = 1e-12) {
  ASSERT_EQ(actual.shape(), expected.shape());
  for (std::int64_t i = 0; i < actual.numel(); ++i) EXPECT_NEAR(actual[i], expected[i], tol) << "element " << i;
}

}  // namespace hwnas::testing
