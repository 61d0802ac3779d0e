#pragma once
/// \file
/// Pareto utilities over evaluations with two objectives, accuracy (higher
/// is better) and cost (lower is better), and the constraint flag:
///
/// - `dominates(a, b)`: Deb's constrained domination;
/// - `non_dominated_sort(points)`: the fronts, best first (Deb et al. 2002);
/// - `crowding_distance(points, front)`: how isolated each point of a front is;
/// - `pareto_front(points)`: the feasible trade-offs a search reports.
///
/// A NaN accuracy ranks as the lowest accuracy and a NaN cost as the highest
/// cost, so a failed evaluation never dominates a real one and domination
/// stays a strict partial order.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/search/concepts.hpp"
#include "hwnas/search/evaluated.hpp"

namespace hwnas::search {

/// Deb's constrained domination: a feasible point dominates an infeasible
/// one; of two infeasible points the cheaper dominates (cost stands in for
/// the constraint violation); of two feasible points, `a` dominates when it is
/// no worse in accuracy and cost and strictly better in one.
[[nodiscard]] inline bool dominates(const Evaluation& a, const Evaluation& b) {
  if (a.feasible != b.feasible) return a.feasible;
  const double cost_a = detail::ranked_cost(a);
  const double cost_b = detail::ranked_cost(b);
  if (!a.feasible) return cost_a < cost_b;
  const double accuracy_a = detail::ranked_accuracy(a);
  const double accuracy_b = detail::ranked_accuracy(b);
  return accuracy_a >= accuracy_b && cost_a <= cost_b && (accuracy_a > accuracy_b || cost_a < cost_b);
}

/// The fast non-dominated sort of Deb et al. (2002), O(M N^2): the indices of
/// `points` by front, the first front the points nothing dominates, each
/// later one the points dominated only by earlier fronts. Indices within a
/// front are ascending.
[[nodiscard]] inline std::vector<std::vector<std::size_t>> non_dominated_sort(std::span<const Evaluation> points) {
  const std::size_t n = points.size();
  std::vector<std::vector<std::size_t>> dominated(n);  // the points each point dominates
  std::vector<std::size_t> dominators(n, 0);           // how many points dominate each point
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t q = p + 1; q < n; ++q) {
      if (dominates(points[p], points[q])) {
        dominated[p].push_back(q);
        ++dominators[q];
      } else if (dominates(points[q], points[p])) {
        dominated[q].push_back(p);
        ++dominators[p];
      }
    }
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t p = 0; p < n; ++p)
    if (dominators[p] == 0) current.push_back(p);
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (const std::size_t p : current)
      for (const std::size_t q : dominated[p])
        if (--dominators[q] == 0) next.push_back(q);
    std::ranges::sort(next);
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

/// The crowding distance of each point of `front` (indices into `points`),
/// in the order of `front`: for each objective, the gap between a point's two
/// neighbours along that objective divided by the objective's range over the
/// front, summed over both objectives. The extreme points of each objective
/// (and every point of a front of one or two) are infinitely far; an
/// objective that does not vary over the front adds nothing. ConfigError
/// for an index out of range.
[[nodiscard]] inline std::vector<double> crowding_distance(std::span<const Evaluation> points,
                                                           std::span<const std::size_t> front) {
  for (const std::size_t i : front)
    HWNAS_CHECK_CONFIG(i < points.size(), "crowding distance: index {} is out of range for {} points", i,
                       points.size());
  constexpr double infinite = std::numeric_limits<double>::infinity();
  std::vector<double> distance(front.size(), 0.0);
  if (front.size() <= 2) {
    std::ranges::fill(distance, infinite);
    return distance;
  }
  std::vector<std::size_t> order(front.size());
  for (const auto objective : {detail::ranked_accuracy, detail::ranked_cost}) {
    const auto value = [&](std::size_t k) { return objective(points[front[k]]); };
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
    distance[order.front()] = infinite;
    distance[order.back()] = infinite;
    const double range = value(order.back()) - value(order.front());
    // A flat or unbounded objective says nothing about crowding.
    if (!(range > 0.0) || !std::isfinite(range)) continue;
    for (std::size_t k = 1; k + 1 < order.size(); ++k)
      distance[order[k]] += (value(order[k + 1]) - value(order[k - 1])) / range;
  }
  return distance;
}

/// The indices of the feasible points no other point dominates, by cost
/// ascending: the trade-offs a search reports. Of points with identical
/// accuracy and cost only the first enters; a point with a NaN accuracy or
/// cost never does. O(N log N).
[[nodiscard]] inline std::vector<std::size_t> pareto_front(std::span<const Evaluation> points) {
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i].feasible && !std::isnan(points[i].accuracy) && !std::isnan(points[i].cost))
      candidates.push_back(i);
  // Cheapest first, the most accurate first among equal costs, the first index first among equals.
  std::ranges::sort(candidates, [&](std::size_t a, std::size_t b) {
    const Evaluation& x = points[a];
    const Evaluation& y = points[b];
    if (x.cost != y.cost) return x.cost < y.cost;
    if (x.accuracy != y.accuracy) return x.accuracy > y.accuracy;
    return a < b;
  });
  // Along rising cost, a point is a trade-off exactly when it beats every cheaper accuracy.
  std::vector<std::size_t> front;
  for (const std::size_t i : candidates)
    if (front.empty() || points[i].accuracy > points[front.back()].accuracy) front.push_back(i);
  return front;
}

}  // namespace hwnas::search
