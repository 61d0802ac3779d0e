#include "hwnas/core/statistics.hpp"

#include <algorithm>
#include <cmath>

#include "hwnas/core/error.hpp"

namespace hwnas {

double quantile(std::vector<double> values, double q) {
  HWNAS_CHECK_CONFIG(!values.empty(), "quantile: no values");
  HWNAS_CHECK_CONFIG(q >= 0.0 && q <= 1.0, "quantile: q must be in [0, 1], got {}", q);
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

}  // namespace hwnas
