// The search report: a self-contained page whose figures hold exactly the
// data they were given (one marker per plotted candidate, the Pareto front,
// the budget, one box per layer), with text escaped, and with a visible note
// instead of a failure for runs with nothing or little to show.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "report.hpp"
#include "svg.hpp"

namespace hwnas::app {
namespace {

using nlohmann::json;

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

json record(std::int64_t index, std::int64_t round, json accuracy, double cost, bool feasible, json arch = {}) {
  return {{"index", index},       {"round", round}, {"arch", arch.is_null() ? json{{"id", index}} : arch},
          {"accuracy", accuracy}, {"cost", cost},   {"params", 1000 + index},
          {"feasible", feasible}, {"seconds", 0.01}};
}

// Feasible records with an accuracy that no other beats on both accuracy
// and cost, cost ascending.
std::vector<json> pareto_of(const std::vector<json>& history) {
  std::vector<json> candidates;
  for (const json& r : history)
    if (r["feasible"].get<bool>() && r["accuracy"].is_number()) candidates.push_back(r);
  std::sort(candidates.begin(), candidates.end(), [](const json& a, const json& b) {
    const double ca = a["cost"].get<double>(), cb = b["cost"].get<double>();
    return ca != cb ? ca < cb : a["accuracy"].get<double>() > b["accuracy"].get<double>();
  });
  std::vector<json> front;
  for (const json& r : candidates)
    if (front.empty() || r["accuracy"].get<double>() > front.back()["accuracy"].get<double>()) front.push_back(r);
  return front;
}

json best_of(const std::vector<json>& pareto) { return pareto.empty() ? json() : pareto.back(); }

// A run as the search writes it: ofa-fmnist architectures, cost from MACs,
// an estimate that grows with size and with the round, a few NaN estimates.
ReportInput realistic_run() {
  const space::OfaFmnistSpace space;
  Rng rng(11);
  ReportInput in;
  in.title = "hwnas search: ofa-fmnist, zen, lut";
  in.accuracy_name = "Zen-score";
  in.cost_unit = "ms";
  in.cost_budget = 0.9;
  in.config = {{"space", "ofa-fmnist"},
               {"estimator", {{"name", "zen"}, {"batch", 16}, {"repeats", 2}}},
               {"cost", {{"model", "lut"}, {"budget_ms", 0.9}}},
               {"strategy", {{"name", "evolution"}, {"population", 24}, {"mutation_p", 0.1}}},
               {"seed", 11},
               {"wall_seconds", 83.4}};
  std::int64_t index = 0;
  for (std::int64_t round = 0; round < 12; ++round) {
    for (int i = 0; i < 24; ++i, ++index) {
      const auto arch = space.sample(rng);
      const double mmacs = static_cast<double>(space.macs(arch)) / 1e6;
      const double cost = 0.12 + 0.045 * mmacs + 0.05 * rng.uniform();
      json accuracy = 40.0 + 9.0 * std::log(mmacs) + 0.6 * static_cast<double>(round) + 3.0 * rng.uniform();
      if (index % 37 == 5) accuracy = nullptr;
      in.history.push_back(record(index, round, accuracy, cost, cost <= *in.cost_budget, space.to_json(arch)));
    }
  }
  in.pareto = pareto_of(in.history);
  in.best = best_of(in.pareto);
  in.best_layers = space.summary(space.from_json(in.best["arch"]));
  in.final = {
      {"test_acc", 0.8731}, {"measured_ms", 0.81}, {"predicted_ms", 0.77}, {"train_seconds", 412.0}, {"epochs", 5}};
  return in;
}

// A small run by hand: two rounds, one infeasible, one NaN estimate.
ReportInput small_run() {
  ReportInput in;
  in.title = "small";
  in.accuracy_name = "score";
  in.cost_unit = "ms";
  in.cost_budget = 1.0;
  in.history = {record(0, 0, 11.5, 0.5, true),    record(1, 0, 12.0, 0.8, true), record(2, 0, 20.0, 1.5, false),
                record(3, 1, nullptr, 0.6, true), record(4, 1, 11.0, 0.4, true), record(5, 1, 9.0, 0.9, true)};
  in.pareto = pareto_of(in.history);
  in.best = best_of(in.pareto);
  in.config = {{"space", "ofa-fmnist"}};
  return in;
}

void expect_complete(const std::string& html) {
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(Report, IsSelfContained) {
  const std::string html = render_report(realistic_run());
  expect_complete(html);
  const std::size_t xmlns = count(html, R"(xmlns="http://www.w3.org/2000/svg")");
  EXPECT_GE(xmlns, 3u);
  EXPECT_EQ(count(html, "http"), xmlns);
  EXPECT_EQ(count(html, "<script"), 0u);
  EXPECT_EQ(count(html, "<link"), 0u);
  EXPECT_EQ(count(html, "url("), 0u);
  EXPECT_EQ(count(html, "@import"), 0u);
}

TEST(Report, DrawsOneMarkerPerCandidateWithAnEstimate) {
  const ReportInput in = small_run();
  const std::string html = render_report(in);
  EXPECT_EQ(count(html, R"(class="pt-feasible")"), 4u);  // record 3 has no estimate
  EXPECT_EQ(count(html, R"(class="pt-infeasible")"), 1u);
  EXPECT_NE(html.find("1 candidate has no accuracy estimate"), std::string::npos);

  const ReportInput big = realistic_run();
  const std::string page = render_report(big);
  std::size_t feasible = 0;
  std::size_t infeasible = 0;
  for (const json& r : big.history) {
    if (!r["accuracy"].is_number()) continue;
    (r["feasible"].get<bool>() ? feasible : infeasible) += 1;
  }
  ASSERT_GT(feasible, 10u);
  ASSERT_GT(infeasible, 10u);
  EXPECT_EQ(count(page, R"(class="pt-feasible")"), feasible);
  EXPECT_EQ(count(page, R"(class="pt-infeasible")"), infeasible);
}

TEST(Report, DrawsTheParetoFrontAsASteppedLine) {
  const ReportInput in = small_run();
  ASSERT_EQ(in.pareto.size(), 3u);  // costs 0.4, 0.5, 0.8
  const std::string html = render_report(in);
  EXPECT_EQ(count(html, R"(class="pt-pareto")"), 3u);
  EXPECT_EQ(count(html, R"(class="pt-best")"), 1u);
  const auto at = html.find(R"(<polyline class="pareto-line" points=")");
  ASSERT_NE(at, std::string::npos);
  const auto begin = html.find("points=\"", at) + 8;
  const std::string points = html.substr(begin, html.find('"', begin) - begin);
  EXPECT_EQ(count(points, ","), 5u);  // three points joined by two steps of two segments
  // The Pareto table lists each of them.
  EXPECT_NE(html.find("Pareto front: 3 candidates"), std::string::npos);
}

TEST(Report, DrawsTheBudgetOnlyWhenThereIsOne) {
  ReportInput in = small_run();
  std::string html = render_report(in);
  EXPECT_EQ(count(html, R"(class="budget-line")"), 1u);
  EXPECT_NE(html.find("budget 1 ms"), std::string::npos);
  in.cost_budget.reset();
  html = render_report(in);
  EXPECT_EQ(count(html, R"(class="budget-line")"), 0u);
  EXPECT_NE(html.find("No cost budget was set"), std::string::npos);
}

TEST(Report, DrawsOneBoxPerLayer) {
  const space::OfaFmnistSpace ofa;
  ReportInput in = small_run();
  in.best_layers = ofa.summary(ofa.largest());
  std::string html = render_report(in);
  EXPECT_EQ(count(html, R"(class="layer-box")"), in.best_layers.size());
  EXPECT_GE(in.best_layers.size(), 20u);  // wraps to several rows
  EXPECT_NE(html.find("k7 \u00b7 e6"), std::string::npos);
  EXPECT_NE(html.find("stem conv"), std::string::npos);
  EXPECT_GT(count(html, R"(class="badge-stride")"), 0u);
  EXPECT_GT(count(html, R"(class="residual")"), 0u);

  const space::Nb201Space nb201;
  Rng rng(4);
  in.best_layers = nb201.summary(nb201.sample(rng));
  html = render_report(in);
  EXPECT_EQ(count(html, R"(class="layer-box")"), in.best_layers.size());
  EXPECT_NE(html.find(">cell<"), std::string::npos);
  EXPECT_NE(html.find(">reduction<"), std::string::npos);
}

TEST(Report, EscapesText) {
  ReportInput in = small_run();
  in.title = "run <b>&</b>";
  in.accuracy_name = "acc<\"x\">";
  in.history[1]["arch"] = "arch <&> 'quoted'";
  in.pareto = pareto_of(in.history);
  in.best = best_of(in.pareto);
  in.config["note"] = "<&>";
  const std::string html = render_report(in);
  EXPECT_EQ(html.find("<&>"), std::string::npos);
  EXPECT_EQ(html.find("<b>&"), std::string::npos);
  EXPECT_NE(html.find("arch &lt;&amp;&gt; &#39;quoted&#39;"), std::string::npos);
  EXPECT_NE(html.find("run &lt;b&gt;&amp;&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("acc&lt;&quot;x&quot;&gt;"), std::string::npos);
}

TEST(Report, RendersAnEmptyHistory) {
  ReportInput in;
  const std::string html = render_report(in);
  expect_complete(html);
  EXPECT_NE(html.find("No candidates were evaluated"), std::string::npos);
  EXPECT_NE(html.find("No architecture to draw"), std::string::npos);
  EXPECT_NE(html.find("No configuration was recorded"), std::string::npos);
  EXPECT_EQ(count(html, "<circle"), 0u);
}

TEST(Report, RendersARunWithoutAFeasibleCandidate) {
  ReportInput in = small_run();
  for (json& r : in.history) r["feasible"] = false;
  in.pareto.clear();
  in.best = nullptr;
  const std::string html = render_report(in);
  expect_complete(html);
  EXPECT_NE(html.find("No candidate met the cost budget"), std::string::npos);
  EXPECT_NE(html.find("no feasible candidate has an accuracy estimate"), std::string::npos);
  EXPECT_EQ(count(html, R"(class="pt-infeasible")"), 5u);
  EXPECT_EQ(count(html, R"(class="pt-feasible")"), 0u);
  EXPECT_EQ(count(html, R"(class="pt-best")"), 0u);
}

TEST(Report, RendersEqualCostsNullAccuraciesAndOneRound) {
  ReportInput in = small_run();
  for (json& r : in.history) {
    r["cost"] = 0.7;
    r["round"] = 3;
  }
  in.pareto = pareto_of(in.history);
  in.best = best_of(in.pareto);
  std::string html = render_report(in);
  expect_complete(html);
  EXPECT_NE(html.find("All plotted candidates have the same cost (0.7 ms)"), std::string::npos);
  EXPECT_NE(html.find("single round"), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);

  for (json& r : in.history) r["accuracy"] = nullptr;
  in.history[0]["accuracy"] = std::numeric_limits<double>::quiet_NaN();
  in.pareto.clear();
  in.best = nullptr;
  html = render_report(in);
  expect_complete(html);
  EXPECT_NE(html.find("no candidate has both a cost and an accuracy estimate"), std::string::npos);
  EXPECT_EQ(count(html, "<circle"), 0u);
}

TEST(Report, ShowsTheFinalResultOnlyWhenGiven) {
  ReportInput in = realistic_run();
  std::string html = render_report(in);
  EXPECT_NE(html.find("Test accuracy and latency"), std::string::npos);
  EXPECT_NE(html.find("after 5 epochs"), std::string::npos);
  EXPECT_NE(html.find("87.3 %"), std::string::npos);
  EXPECT_NE(html.find("-4.94 % vs measured"), std::string::npos);
  EXPECT_EQ(count(html, R"(class="bar-measured")"), 1u);
  in.final = {{"supernet", "data/supernet/ofa-fmnist"}, {"test_acc", 0.9}};
  html = render_report(in);
  EXPECT_NE(html.find("supernet weights, batch norms recalibrated"), std::string::npos);
  EXPECT_EQ(html.find("after 5 epochs"), std::string::npos);
  in.final = nullptr;
  html = render_report(in);
  EXPECT_EQ(html.find("Test accuracy and latency"), std::string::npos);
}

TEST(Report, FlattensTheConfiguration) {
  const std::string html = render_report(realistic_run());
  EXPECT_NE(html.find("<td>estimator.batch</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>strategy.name</td><td class=\"code\">evolution</td>"), std::string::npos);
  EXPECT_NE(html.find("1 min 23 s"), std::string::npos);  // wall_seconds in the summary
}

TEST(Report, WritesARealisticReport) {
  // HWNAS_REPORT_OUT keeps the page for a look in a browser (scripts/check-report).
  const char* out = std::getenv("HWNAS_REPORT_OUT");
  const std::filesystem::path path =
      out != nullptr ? std::filesystem::path(out) : std::filesystem::path(::testing::TempDir()) / "report.html";
  const std::string html = render_report(realistic_run());
  std::ofstream(path) << html;
  EXPECT_EQ(std::filesystem::file_size(path), html.size());
}

TEST(Convergence, IsMonotoneWithTheRoundsMedian) {
  const auto rounds = convergence(small_run().history);
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].round, 0);
  EXPECT_EQ(rounds[0].evaluated, 3);
  EXPECT_EQ(rounds[0].feasible, 2);
  EXPECT_DOUBLE_EQ(*rounds[0].best_so_far, 12.0);  // the infeasible 20 does not count
  EXPECT_DOUBLE_EQ(*rounds[0].median, 11.75);
  EXPECT_DOUBLE_EQ(*rounds[1].best_so_far, 12.0);  // round 1 is worse: the best stays
  EXPECT_DOUBLE_EQ(*rounds[1].median, 10.0);       // {11, 9}; the NaN estimate is skipped

  const auto many = convergence(realistic_run().history);
  ASSERT_EQ(many.size(), 12u);
  for (std::size_t i = 1; i < many.size(); ++i) {
    EXPECT_GT(many[i].round, many[i - 1].round);
    EXPECT_GE(*many[i].best_so_far, *many[i - 1].best_so_far);
  }
}

TEST(Convergence, StartsAtTheFirstFeasibleEstimateAndOrdersRounds) {
  const std::vector<json> history{record(0, 5, 3.0, 1.0, true), record(1, 2, 8.0, 1.0, false),
                                  record(2, 2, nullptr, 1.0, true), record(3, 9, 1.0, 1.0, true)};
  const auto rounds = convergence(history);
  ASSERT_EQ(rounds.size(), 3u);
  EXPECT_EQ(rounds[0].round, 2);
  EXPECT_FALSE(rounds[0].best_so_far);
  EXPECT_FALSE(rounds[0].median);
  EXPECT_EQ(rounds[1].round, 5);
  EXPECT_DOUBLE_EQ(*rounds[1].best_so_far, 3.0);
  EXPECT_DOUBLE_EQ(*rounds[2].best_so_far, 3.0);
  EXPECT_DOUBLE_EQ(*rounds[2].median, 1.0);
  EXPECT_TRUE(convergence({}).empty());
}

TEST(Svg, ChoosesNiceTicks) {
  const svg::Ticks t = svg::nice_ticks(0.13, 0.87, 6);
  EXPECT_DOUBLE_EQ(t.step, 0.1);
  EXPECT_NEAR(t.lo, 0.1, 1e-12);
  EXPECT_NEAR(t.hi, 0.9, 1e-12);
  EXPECT_EQ(t.values.size(), 9u);
  const svg::Ticks big = svg::nice_ticks(0, 4.2e6, 5);
  EXPECT_DOUBLE_EQ(big.step, 1e6);
  EXPECT_EQ(svg::tick_label(big.values[3], big.step), "3M");
  EXPECT_EQ(svg::tick_label(0.30000000000000004, 0.1), "0.3");
  // An empty range still gets an axis around its value.
  const svg::Ticks flat = svg::nice_ticks(2.5, 2.5, 6);
  EXPECT_LT(flat.lo, 2.5);
  EXPECT_GT(flat.hi, 2.5);
  EXPECT_GE(flat.values.size(), 3u);
  const svg::Ticks zero = svg::nice_ticks(0, 0, 6);
  EXPECT_LT(zero.lo, 0.0);
  EXPECT_GT(zero.hi, 0.0);
}

TEST(Svg, FormatsNumbersAndEscapes) {
  EXPECT_EQ(svg::format_number(12.3456), "12.35");
  EXPECT_EQ(svg::format_number(0.84), "0.84");
  EXPECT_EQ(svg::format_number(123456.0), "123456");
  EXPECT_EQ(svg::format_number(-0.00001), "-1e-05");
  EXPECT_EQ(svg::format_number(std::nan("")), "n/a");
  EXPECT_EQ(svg::format_si(950), "950");
  EXPECT_EQ(svg::format_si(12345), "12.3k");
  EXPECT_EQ(svg::format_si(999999), "1M");
  EXPECT_EQ(svg::format_si(4.56e9), "4.56G");
  EXPECT_EQ(svg::escape(R"(<a href="x">&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  const auto steps = svg::staircase({{0, 1}, {1, 2}, {3, 5}});
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_DOUBLE_EQ(steps[1].x, 1);
  EXPECT_DOUBLE_EQ(steps[1].y, 1);
  EXPECT_DOUBLE_EQ(steps[3].x, 3);
  EXPECT_DOUBLE_EQ(steps[3].y, 2);
}

TEST(Svg, CanvasEscapesTooltipsAndText) {
  svg::Canvas canvas(100, 50, "figure");
  canvas.circle(1, 2, 3, "dot", "a<b");
  canvas.text(5, 6, "x & y", "label", svg::Anchor::middle, -90);
  const std::string s = canvas.str();
  EXPECT_NE(s.find("<title>a&lt;b</title>"), std::string::npos);
  EXPECT_NE(s.find(">x &amp; y</text>"), std::string::npos);
  EXPECT_NE(s.find("transform=\"rotate(-90.0 5.0 6.0)\""), std::string::npos);
  EXPECT_NE(s.find(R"(viewBox="0 0 100.0 50.0")"), std::string::npos);
}

}  // namespace
}  // namespace hwnas::app
