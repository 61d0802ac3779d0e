// How good each search strategy is within a fixed budget, on nb201, where
// every one of the 15,625 cells can be scored and the true optimum is known.
//
// Objectives (higher is better), each under the constraint MACs <= the
// median MACs of the space, so that the best cell is not simply the largest:
// - `zen`: the Zen-score of the cell (the "zen" proxy, batch 16, one repeat,
//   seed 0), computed once for every cell and cached in the file given
//   (about 12 cells/s, 22 minutes in all, on two cores; an interrupted run
//   resumes from the cells already in the file; later runs take a second);
// - `params`: the cell's parameter count. A sanity check rather than a
//   test: parameters and MACs both depend only on how many edges are 3x3 and
//   1x1 convolutions, so thousands of feasible cells share the optimum.
//
// Every strategy runs through the Searcher with a table-lookup estimator,
// its preferred batch, budgets of 100, 300 and 1000 candidates (repeats
// count) and 20 seeds. For each strategy and budget the table gives the
// best feasible objective found against the true feasible optimum: regret
// (optimum - best found, mean and standard deviation over the seeds), the
// rank of the best found among the feasible cells (median over the seeds,
// 1 = the optimum) and the share of seeds that found the optimum. Values
// within a relative 1e-6 of each other count as equal: cells that compute
// the same function score alike up to float rounding.
//
//   build/benchmarks/search_quality --zen-cache nb201-zen.txt
//   build/benchmarks/search_quality --objective params
//
// Options: --objective zen|params|all (all), --zen-cache FILE (needed for
// zen), --seeds N (20), --budgets 100,300,1000.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/statistics.hpp"
#include "hwnas/cost/size_costs.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/search.hpp"
#include "hwnas/space/any_space.hpp"
#include "hwnas/space/nb201.hpp"

namespace {

using namespace hwnas;

/// One score per cell, in the order of `Nb201Space::enumerate()`.
using Table = std::vector<double>;

/// The cell's position in `enumerate()`: its operations' indices as base-5 digits, edge 0 first.
std::size_t cell_index(const space::AnySpace& space, const space::AnyArch& arch) {
  std::size_t code = 0;
  for (const std::int64_t op : space.to_decisions(arch)) code = code * 5 + static_cast<std::size_t>(op);
  return code;
}

/// An objective known for every cell, as an accuracy estimator.
class TableEstimator {
 public:
  TableEstimator(space::AnySpace space, std::shared_ptr<const Table> table)
      : space_(std::move(space)), table_(std::move(table)) {}
  [[nodiscard]] std::string_view name() const { return "table"; }
  [[nodiscard]] bool thread_safe() const { return true; }
  [[nodiscard]] estimate::Estimate estimate(const space::AnyArch& arch) const {
    return {(*table_)[cell_index(space_, arch)], {}};
  }

 private:
  space::AnySpace space_;
  std::shared_ptr<const Table> table_;
};

/// The cache: a header line, then "cell score" per line ("-inf" when the
/// cell's output does not depend on its input).
constexpr std::string_view zen_header = "# nb201 zen-score: batch 16, repeats 1, seed 0, classes 10, input 3x32x32";

std::unordered_map<std::string, double> read_zen_cache(const std::filesystem::path& path) {
  std::unordered_map<std::string, double> scores;
  if (!std::filesystem::exists(path)) return scores;
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  HWNAS_CHECK_AS(IoError, line == zen_header, "{}: not a zen-score cache of this program (first line '{}')",
                 path.string(), line);
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    HWNAS_CHECK_AS(IoError, space != std::string::npos, "{}: malformed line '{}'", path.string(), line);
    scores[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return scores;
}

void write_zen_cache(const std::filesystem::path& path, const std::vector<space::Nb201Arch>& cells,
                     const space::Nb201Space& space, const Table& scores, std::size_t done) {
  std::string text = std::string(zen_header) + '\n';
  for (std::size_t i = 0; i < done; ++i) text += fmt::format("{} {:.17g}\n", space.canonical(cells[i]), scores[i]);
  write_file_atomically(path, text);
}

/// The Zen-score of every cell, from the cache, computing (and caching) the missing ones.
Table zen_scores(const std::filesystem::path& cache) {
  const space::Nb201Space space;
  const space::AnySpace any(space);
  const auto cells = space.enumerate();
  const auto cached = read_zen_cache(cache);
  Table scores(cells.size());
  std::size_t done = 0;
  while (done < cells.size() && cached.contains(space.canonical(cells[done]))) {
    scores[done] = cached.at(space.canonical(cells[done]));
    ++done;
  }
  if (done == cells.size()) return scores;
  std::fprintf(stderr, "zen: %zu of %zu cells cached in %s, computing the rest\n", done, cells.size(),
               cache.string().c_str());
  estimate::ProxyOptions options;
  options.batch = 16;
  const auto start = std::chrono::steady_clock::now();
  const std::size_t first = done;
  // Cells are scored concurrently, one proxy per worker: a proxy builds a
  // network per call, so the workers share nothing.
  constexpr std::size_t block = 128;
  while (done < cells.size()) {
    const std::size_t end = std::min(cells.size(), done + block);
    parallel_for(static_cast<std::int64_t>(done), static_cast<std::int64_t>(end), 1,
                 [&](std::int64_t lo, std::int64_t hi) {
                   auto zen = estimate::make_proxy("zen", any, options);
                   for (std::int64_t i = lo; i < hi; ++i) {
                     const auto k = static_cast<std::size_t>(i);
                     scores[k] = zen.estimate(space::AnyArch(cells[k])).value;
                   }
                 });
    done = end;
    write_zen_cache(cache, cells, space, scores, done);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = static_cast<double>(done - first) / seconds;
    std::fprintf(stderr, "zen: %zu/%zu cells, %.1f cells/s, %.0f s left\n", done, cells.size(), rate,
                 static_cast<double>(cells.size() - done) / rate);
  }
  return scores;
}

struct StrategySpec {
  std::string label;
  nlohmann::json config;
};

std::vector<StrategySpec> strategies() {
  return {{"random", {{"name", "random"}}},
          {"evolution (population 20)", {{"name", "evolution"}, {"population", 20}}},
          {"aging evolution (population 20, sample 5)",
           {{"name", "aging-evolution"}, {"population", 20}, {"sample_size", 5}}},
          {"nsga2 (population 20)", {{"name", "nsga2"}, {"population", 20}}},
          {"rl (REINFORCE)", {{"name", "rl"}}}};
}

double mean_of(const std::vector<double>& v) {
  double sum = 0.0;
  for (const double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}
double std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double sum = 0.0;
  for (const double x : v) sum += (x - m) * (x - m);
  return v.size() > 1 ? std::sqrt(sum / static_cast<double>(v.size() - 1)) : 0.0;
}

/// Runs every strategy at every budget and seed on `objective`, prints the table.
void evaluate(std::string_view objective, std::string_view unit, const Table& values,
              const std::vector<std::int64_t>& budgets, int seeds) {
  const space::AnySpace any(space::Nb201Space{});
  const space::Nb201Space space;
  const auto cells = space.enumerate();
  std::vector<double> macs;
  for (const auto& cell : cells) macs.push_back(static_cast<double>(space.macs(cell)));
  const double macs_budget = quantile(macs, 0.5);

  // The feasible cells' values, best first, give the optimum and each value's rank.
  std::vector<double> feasible;
  std::size_t unscored = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (macs[i] > macs_budget) continue;
    if (std::isfinite(values[i]))
      feasible.push_back(values[i]);
    else
      ++unscored;
  }
  std::ranges::sort(feasible, std::greater<>());
  const double optimum = feasible.front();
  // Cells that build the same function up to the order of a sum score within
  // float rounding of each other: values this close count as equal.
  const double tolerance = 1e-6 * std::abs(optimum);
  const auto optima = std::ranges::count_if(feasible, [&](double v) { return v >= optimum - tolerance; });
  // 1 + the feasible cells that are better by more than the tolerance.
  const auto rank_of = [&](double v) {
    return 1.0 + static_cast<double>(std::ranges::count_if(feasible, [&](double f) { return f > v + tolerance; }));
  };

  fmt::print("\n### nb201, objective {}, MACs <= {:.0f} (the median)\n\n", objective, macs_budget);
  fmt::print("{} of {} cells feasible ({} of them without a finite score); feasible optimum {:.6g}{} "
             "({} cell{} reach it, to a relative 1e-6); median feasible value {:.6g}.\n\n",
             feasible.size() + unscored, cells.size(), unscored, optimum, unit, optima, optima == 1 ? "" : "s",
             feasible[feasible.size() / 2]);
  fmt::print("| strategy | budget | regret mean ± std | best / optimum | rank of best (median, 1 = optimum) | "
             "distinct cells evaluated | optimum found |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---:|\n");

  const auto table = std::make_shared<const Table>(values);
  const cost::SizeCost<space::AnySpace> macs_cost(any, cost::SizeCost<space::AnySpace>::Measure::macs);
  for (const auto& spec : strategies()) {
    for (const std::int64_t budget : budgets) {
      std::vector<double> regrets, ratios, ranks, distinct;
      int hits = 0;
      for (int seed = 0; seed < seeds; ++seed) {
        auto strategy = search::make_strategy(spec.config, any, static_cast<std::uint64_t>(seed));
        const auto options = search::SearchOptions()
                                 .cost_budget(macs_budget)
                                 .max_evaluations(budget)
                                 .batch(strategy.preferred_batch())
                                 .parallel(false);
        search::Searcher searcher(any, TableEstimator(any, table), macs_cost, strategy, options);
        const auto result = searcher.run();
        // No feasible cell found counts as the worst feasible value.
        const double best = result.best ? result.best->accuracy : feasible.back();
        regrets.push_back(optimum - best);
        ratios.push_back(best / optimum);
        ranks.push_back(rank_of(best));
        distinct.push_back(static_cast<double>(
            std::ranges::count_if(result.history, [](const auto& c) { return !c.cached; })));
        hits += best >= optimum - tolerance ? 1 : 0;
      }
      fmt::print("| {} | {} | {:.4g} ± {:.4g} | {:.4f} | {:.0f} | {:.0f} | {}/{} |\n", spec.label, budget,
                 mean_of(regrets), std_of(regrets), mean_of(ratios), quantile(ranks, 0.5), mean_of(distinct), hits,
                 seeds);
    }
  }
  std::fflush(stdout);
}

struct Args {
  std::string objective = "all";
  std::filesystem::path zen_cache;
  int seeds = 20;
  std::vector<std::int64_t> budgets{100, 300, 1000};
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    HWNAS_CHECK_CONFIG(i + 1 < argc, "{} needs a value", flag);
    const std::string value = argv[++i];
    if (flag == "--objective") {
      a.objective = value;
    } else if (flag == "--zen-cache") {
      a.zen_cache = value;
    } else if (flag == "--seeds") {
      a.seeds = std::stoi(value);
    } else if (flag == "--budgets") {
      a.budgets.clear();
      std::istringstream in(value);
      for (std::string b; std::getline(in, b, ',');) a.budgets.push_back(std::stoll(b));
    } else {
      throw ConfigError(fmt::format("unknown option {} (known: --objective, --zen-cache, --seeds, --budgets)", flag));
    }
  }
  HWNAS_CHECK_CONFIG(a.objective == "zen" || a.objective == "params" || a.objective == "all",
                     "--objective must be zen, params or all, got {}", a.objective);
  HWNAS_CHECK_CONFIG(a.objective == "params" || !a.zen_cache.empty(), "the zen objective needs --zen-cache FILE");
  HWNAS_CHECK_CONFIG(a.seeds >= 1 && !a.budgets.empty(), "needs at least one seed and one budget");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args args = parse(argc, argv);
    const space::Nb201Space space;
    const space::AnySpace any(space);
    const auto cells = space.enumerate();
    for (std::size_t i = 0; i < cells.size(); ++i)
      HWNAS_CHECK_CONFIG(cell_index(any, space::AnyArch(cells[i])) == i, "cell {} is not where expected", i);
    if (args.objective != "zen") {
      Table params;
      for (const auto& cell : cells) params.push_back(static_cast<double>(space.params(cell)));
      evaluate("params", " parameters", params, args.budgets, args.seeds);
    }
    if (args.objective != "params") evaluate("zen", "", zen_scores(args.zen_cache), args.budgets, args.seeds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "search_quality: %s\n", e.what());
    return 1;
  }
}
