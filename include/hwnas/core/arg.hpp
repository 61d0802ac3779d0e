#pragma once
/// \file
/// `HWNAS_ARG(type, name, initial)` declares one option of an options class:
/// a private field `name_` starting at `initial`, a chaining setter
/// `name(value)` and a getter `name()`. Options classes are lists of these
/// (like the PyTorch C++ frontend's TORCH_ARG), so each knob is one line.

#include <utility>

#define HWNAS_ARG(type, name, initial)                 \
 public:                                               \
  auto& name(type value) {                             \
    name##_ = std::move(value);                        \
    return *this;                                      \
  }                                                    \
  [[nodiscard]] const type& name() const { return name##_; } \
                                                       \
 private:                                              \
  type name##_ = initial;
