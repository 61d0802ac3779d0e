#include "hwnas/estimate/correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hwnas/core/error.hpp"
#include "hwnas/core/statistics.hpp"

namespace hwnas::estimate {
namespace {

void check_pairs(std::span<const double> x, std::span<const double> y, const char* who) {
  HWNAS_CHECK_CONFIG(x.size() == y.size(), "{}: {} x values but {} y values", who, x.size(), y.size());
  HWNAS_CHECK_CONFIG(x.size() >= 2, "{}: needs at least 2 pairs, got {}", who, x.size());
}

/// Sum of t (t - 1) / 2 over the runs of equal values t long in sorted `values`.
double tied_pairs(const std::vector<double>& values) {
  double pairs = 0.0;
  for (std::size_t start = 0; start < values.size();) {
    std::size_t end = start + 1;
    while (end < values.size() && values[end] == values[start]) ++end;
    const auto t = static_cast<double>(end - start);
    pairs += t * (t - 1.0) / 2.0;
    start = end;
  }
  return pairs;
}

/// Sorts `v` with a merge sort and returns how many inversions it removed
/// (pairs i < j with v[i] > v[j]): the discordant pairs of Knight's algorithm.
double sort_counting_inversions(std::vector<double>& v) {
  std::vector<double> buffer(v.size());
  double inversions = 0.0;
  for (std::size_t width = 1; width < v.size(); width *= 2) {
    for (std::size_t lo = 0; lo < v.size(); lo += 2 * width) {
      const std::size_t mid = std::min(lo + width, v.size());
      const std::size_t hi = std::min(lo + 2 * width, v.size());
      std::size_t i = lo;
      std::size_t j = mid;
      std::size_t k = lo;
      while (i < mid && j < hi) {
        if (v[j] < v[i]) {
          inversions += static_cast<double>(mid - i);
          buffer[k++] = v[j++];
        } else {
          buffer[k++] = v[i++];
        }
      }
      while (i < mid) buffer[k++] = v[i++];
      while (j < hi) buffer[k++] = v[j++];
    }
    v.swap(buffer);
  }
  return inversions;
}

double pearson(std::span<const double> x, std::span<const double> y) {
  const auto n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0.0;
  double sxx = 0.0;
  double syy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0.0 || syy == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

double kendall_tau(std::span<const double> x, std::span<const double> y) {
  check_pairs(x, y, "kendall_tau");
  const std::size_t n = x.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]);
  });
  std::vector<double> xs(n);
  std::vector<double> ys(n);
  for (std::size_t i = 0; i < n; ++i) {
    xs[i] = x[order[i]];
    ys[i] = y[order[i]];
  }
  const double total = static_cast<double>(n) * static_cast<double>(n - 1) / 2.0;
  const double x_ties = tied_pairs(xs);
  // Pairs tied in both: runs of equal (x, y) in the (x, y) order.
  double joint_ties = 0.0;
  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && xs[end] == xs[start] && ys[end] == ys[start]) ++end;
    const auto t = static_cast<double>(end - start);
    joint_ties += t * (t - 1.0) / 2.0;
    start = end;
  }
  const double discordant = sort_counting_inversions(ys);
  const double y_ties = tied_pairs(ys);
  if (x_ties == total || y_ties == total) return std::numeric_limits<double>::quiet_NaN();
  const double concordant_minus_discordant = total - x_ties - y_ties + joint_ties - 2.0 * discordant;
  return concordant_minus_discordant / std::sqrt(total - x_ties) / std::sqrt(total - y_ties);
}

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Ranks start..end-1 (0-based) share their mean, 1-based.
    const double rank = (static_cast<double>(start + end - 1) / 2.0) + 1.0;
    for (std::size_t i = start; i < end; ++i) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

double spearman_rho(std::span<const double> x, std::span<const double> y) {
  check_pairs(x, y, "spearman_rho");
  const auto rx = average_ranks(x);
  const auto ry = average_ranks(y);
  return pearson(rx, ry);
}

Interval bootstrap_interval(std::span<const double> x, std::span<const double> y, const Correlation& statistic,
                            Rng& rng, std::int64_t resamples, double level) {
  check_pairs(x, y, "bootstrap_interval");
  HWNAS_CHECK_CONFIG(resamples >= 1, "bootstrap_interval: resamples must be >= 1, got {}", resamples);
  HWNAS_CHECK_CONFIG(level > 0.0 && level < 1.0, "bootstrap_interval: level must be in (0, 1), got {}", level);
  std::vector<double> bx(x.size());
  std::vector<double> by(y.size());
  std::vector<double> values;
  for (std::int64_t r = 0; r < resamples; ++r) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto k = static_cast<std::size_t>(rng.uniform_int(x.size()));
      bx[i] = x[k];
      by[i] = y[k];
    }
    const double v = statistic(bx, by);
    if (!std::isnan(v)) values.push_back(v);
  }
  if (values.empty()) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  const double tail = (1.0 - level) / 2.0;
  return {quantile(values, tail), quantile(values, 1.0 - tail)};
}

}  // namespace hwnas::estimate
