#pragma once
// Readable gtest failure messages for hwnas types.

#include <ostream>

#include "hwnas/core/tensor.hpp"

namespace hwnas {

template <Scalar T>
void PrintTo(const BasicTensor<T>& t, std::ostream* os) {
  *os << fmt::format("{}", t);
}

inline void PrintTo(const Shape& s, std::ostream* os) { *os << fmt::format("{}", s); }

}  // namespace hwnas
