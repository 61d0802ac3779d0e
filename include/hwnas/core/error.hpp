#pragma once
/// \file
/// The hwnas error hierarchy and the always-on input checks that raise it.
/// The library reports every problem by throwing; it never exits or aborts.

#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hwnas {

/// Base of every error hwnas throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A configuration, option or argument outside what is allowed.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// Tensor shapes that do not fit the operation.
class ShapeError : public Error {
 public:
  using Error::Error;
};

/// A dataset or data file that is malformed.
class DataError : public Error {
 public:
  using Error::Error;
};

/// A file that cannot be read or written, or whose contents are corrupt.
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace hwnas

/// Throws `ErrorType` with a formatted message when `cond` is false.
/// The message is only built on failure.
#define HWNAS_CHECK_AS(ErrorType, cond, ...)             \
  do {                                                   \
    if (!(cond)) [[unlikely]] {                          \
      throw ErrorType(::fmt::format(__VA_ARGS__));       \
    }                                                    \
  } while (false)

/// Input check for shapes: `HWNAS_CHECK_SHAPE(x.dim() == 4, "conv2d: expected NCHW input, got {}", x.shape())`.
#define HWNAS_CHECK_SHAPE(cond, ...) HWNAS_CHECK_AS(::hwnas::ShapeError, cond, __VA_ARGS__)

/// Input check for options and arguments.
#define HWNAS_CHECK_CONFIG(cond, ...) HWNAS_CHECK_AS(::hwnas::ConfigError, cond, __VA_ARGS__)

/// Internal invariant: failing it means hwnas itself is wrong, not its input.
#define HWNAS_ASSERT(cond)                                                                   \
  HWNAS_CHECK_AS(::hwnas::Error, cond, "hwnas internal error (this is a bug): {} at {}:{}", \
                 #cond, __FILE__, __LINE__)
