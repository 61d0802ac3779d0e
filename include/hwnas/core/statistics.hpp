#pragma once
/// \file
/// Order statistics shared by timing summaries and correlation intervals.

#include <vector>

namespace hwnas {

/// The `q`-quantile (0 <= q <= 1) of `values` by linear interpolation between
/// order statistics (NumPy's default); ConfigError for no values.
[[nodiscard]] double quantile(std::vector<double> values, double q);

}  // namespace hwnas
