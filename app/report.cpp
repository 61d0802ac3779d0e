#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "svg.hpp"

namespace hwnas::app {
namespace {

using nlohmann::json;
using svg::escape;
using svg::format_number;
using svg::Point;

// ---------------------------------------------------------------- records

// A record's field as a finite number; empty when absent, null, not a number
// or not finite (a NaN estimate must not reach a plot or a median).
std::optional<double> finite_number(const json& record, std::string_view key) {
  if (!record.is_object()) return std::nullopt;
  const auto it = record.find(key);
  if (it == record.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional(v) : std::nullopt;
}

std::optional<std::int64_t> integer(const json& record, std::string_view key) {
  if (!record.is_object()) return std::nullopt;
  const auto it = record.find(key);
  if (it == record.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional(static_cast<std::int64_t>(std::llround(v))) : std::nullopt;
}

// A record that does not say otherwise met the constraint.
bool is_feasible(const json& record) {
  if (!record.is_object()) return false;
  const auto it = record.find("feasible");
  return it == record.end() || !it->is_boolean() || it->get<bool>();
}

// JSON as compact text; invalid UTF-8 in strings is replaced, not thrown on.
std::string compact(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string arch_text(const json& record) {
  if (!record.is_object() || !record.contains("arch")) return "";
  const json& arch = record["arch"];
  return arch.is_string() ? arch.get<std::string>() : compact(arch);
}

// ---------------------------------------------------------------- text

// 1234567 -> "1,234,567": exact counts in tables stay readable.
std::string group_digits(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_duration(double seconds) {
  if (seconds < 60.0) return format_number(seconds, 3) + " s";
  const auto total = static_cast<std::int64_t>(std::llround(seconds));
  if (total < 3600) return fmt::format("{} min {:02} s", total / 60, total % 60);
  return fmt::format("{} h {:02} min", total / 3600, (total % 3600) / 60);
}

std::string percent(double fraction) { return format_number(100.0 * fraction, 3) + " %"; }

struct Labels {
  std::string accuracy;
  std::string unit;

  [[nodiscard]] std::string cost(double v) const {
    return unit.empty() ? format_number(v) : format_number(v) + " " + unit;
  }
  [[nodiscard]] std::string cost_axis() const { return unit.empty() ? "cost" : "cost (" + unit + ")"; }
};

Labels labels_of(const ReportInput& input) {
  return {input.accuracy_name.empty() ? "accuracy estimate" : input.accuracy_name, input.cost_unit};
}

std::string note(std::string_view text) { return fmt::format("<p class=\"note\">{}</p>\n", escape(text)); }

std::string card(std::string_view label, std::string_view value, std::string_view detail) {
  return fmt::format(
      "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div>"
      "<div class=\"detail\">{}</div></div>\n",
      escape(label), escape(value), escape(detail));
}

// A table cell; numbers align right.
std::string cell(std::string_view text, bool numeric = false) {
  return fmt::format("<td{}>{}</td>", numeric ? " class=\"num\"" : "", escape(text));
}

std::string header_row(const std::vector<std::pair<std::string_view, bool>>& columns) {
  std::string row = "<tr>";
  for (const auto& [name, numeric] : columns)
    row += fmt::format("<th{}>{}</th>", numeric ? " class=\"num\"" : "", escape(name));
  return row + "</tr>\n";
}

std::string shape_text(const Shape& shape) { return fmt::format("{}", fmt::join(shape.dims(), "\u00d7")); }

// ---------------------------------------------------------------- style

constexpr std::string_view stylesheet = R"css(
:root { color-scheme: light; }
body { margin: 0; background: #f5f6f8; color: #1f2933;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 14px; }
main { max-width: 1010px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 650; }
h2 { font-size: 16px; margin: 0 0 10px; font-weight: 650; }
.subtitle { color: #5f6b7a; font-size: 13px; }
section { background: #fff; border: 1px solid #e1e5ea; border-radius: 8px; padding: 16px 18px; margin-top: 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
.card { background: #fff; border: 1px solid #e1e5ea; border-radius: 8px; padding: 10px 12px; flex: 1 1 120px; }
.card .label { font-size: 12px; color: #5f6b7a; }
.card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; margin: 2px 0; }
.card .detail { font-size: 12px; color: #5f6b7a; }
.best-arch { margin-top: 10px; font-size: 13px; }
.note { background: #fff8e6; border-left: 3px solid #e0a800; padding: 6px 10px; font-size: 13px; margin: 8px 0; }
.caption { color: #5f6b7a; font-size: 12px; margin: 6px 0 0; }
table { border-collapse: collapse; font-size: 12.5px; width: 100%; margin-top: 8px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eef0f3; text-align: left; vertical-align: top; }
th { color: #5f6b7a; font-weight: 600; border-bottom: 1px solid #d5dbe1; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 1px solid #c9d0d8; }
table.config td:first-child { width: 34%; }
code, td.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px;
  word-break: break-all; }
details summary { cursor: pointer; color: #3d4752; font-size: 13px; margin-top: 8px; }
svg { display: block; max-width: 100%; height: auto; font-size: 12px; margin-top: 4px; }
svg text { fill: #3d4752; }
.plot-area { fill: #fff; stroke: none; }
.grid { stroke: #edf0f3; }
.axis { stroke: #8a95a1; }
.tick-label { fill: #5f6b7a; font-size: 11px; }
.axis-label { font-size: 12px; font-weight: 600; }
.line-label { fill: #c0392b; font-size: 11px; }
.pt-infeasible { fill: #b8c0c9; fill-opacity: 0.6; }
.pt-feasible { fill: #3b7dd8; fill-opacity: 0.55; }
.pt-pareto { fill: #f28e2b; stroke: #fff; stroke-width: 1.2; }
.pareto-line { fill: none; stroke: #f28e2b; stroke-width: 2; }
.pt-best { fill: none; stroke: #d62728; stroke-width: 2.5; }
.best-label { fill: #d62728; font-weight: 600; }
.budget-line { stroke: #c0392b; stroke-width: 1.5; stroke-dasharray: 6 4; }
.best-so-far { fill: none; stroke: #1f5fb4; stroke-width: 2.5; }
.round-median { fill: none; stroke: #9cc3ee; stroke-width: 2; }
.pt-best-so-far { fill: #1f5fb4; }
.pt-round-median { fill: #9cc3ee; }
.swatch.best-so-far, .swatch.round-median, .swatch.pareto-line, .swatch.budget-line { fill: none; }
.layer-box { stroke: #7b8da3; stroke-width: 1; }
.box-title { font-weight: 650; font-size: 12px; fill: #1f2933; }
.box-text { font-size: 11px; fill: #2c3a4a; }
.box-muted { font-size: 10.5px; fill: #4d5b6b; }
.mac-bar { fill: #1f5fb4; fill-opacity: 0.55; }
.flow { fill: none; stroke: #8a95a1; stroke-width: 1.3; }
.arrow-head { fill: #8a95a1; }
.residual { fill: none; stroke: #2e9d5b; stroke-width: 1.6; }
.badge-stride { fill: #e8772e; }
.badge-se { fill: #8e6bbf; }
.badge-text { fill: #fff; font-size: 9.5px; font-weight: 700; }
.bar-measured { fill: #3b7dd8; }
.bar-predicted { fill: #9cc3ee; }
.bar-label { font-size: 11px; font-weight: 600; }
)css";

// ---------------------------------------------------------------- header

std::string render_header(const ReportInput& input, const Labels& labels, const std::vector<RoundProgress>& rounds) {
  const auto n = static_cast<std::int64_t>(input.history.size());
  const auto feasible = std::count_if(input.history.begin(), input.history.end(), is_feasible);
  double seconds = 0.0;
  for (const json& r : input.history) seconds += finite_number(r, "seconds").value_or(0.0);

  std::string subtitle = "accuracy estimate: " + labels.accuracy + " \u00b7 cost" +
                         (labels.unit.empty() ? "" : " in " + labels.unit) + " \u00b7 " +
                         (input.cost_budget ? "budget " + labels.cost(*input.cost_budget) : "no cost budget");
  std::string out = fmt::format("<header>\n<h1>{}</h1>\n<div class=\"subtitle\">{}</div>\n",
                                escape(input.title.empty() ? "hwnas search" : input.title), escape(subtitle));

  out += "<div class=\"cards\">\n";
  out += card("candidates evaluated", group_digits(n),
              fmt::format("in {} round{}", rounds.size(), rounds.size() == 1 ? "" : "s"));
  out += card("feasible", group_digits(feasible),
              n > 0 ? percent(static_cast<double>(feasible) / static_cast<double>(n)) + " of candidates" : "");
  const auto best_accuracy = finite_number(input.best, "accuracy");
  const auto best_cost = finite_number(input.best, "cost");
  std::string where;
  if (const auto index = integer(input.best, "index")) where = fmt::format("#{}", *index);
  if (const auto round = integer(input.best, "round")) where += fmt::format(", round {}", *round);
  out += card("best " + labels.accuracy, best_accuracy ? format_number(*best_accuracy) : "none", where);
  std::string budget_detail = "no budget";
  if (input.cost_budget) {
    budget_detail = "budget " + labels.cost(*input.cost_budget);
    if (best_cost && *input.cost_budget > 0.0) budget_detail = percent(*best_cost / *input.cost_budget) + " of budget";
  }
  out += card("its cost", best_cost ? labels.cost(*best_cost) : "\u2013", budget_detail);
  out += card("Pareto front", group_digits(static_cast<std::int64_t>(input.pareto.size())), "non-dominated");
  if (const auto wall = finite_number(input.config, "wall_seconds"))
    out += card("wall time", format_duration(*wall), "evaluation: " + format_duration(seconds));
  else if (n > 0)
    out += card("evaluation time", format_duration(seconds), "sum over candidates");
  out += "</div>\n";

  if (input.best.is_object())
    out += fmt::format("<div class=\"best-arch\">best architecture: <code>{}</code></div>\n",
                       escape(arch_text(input.best)));
  if (n == 0) out += note("No candidates were evaluated: the run recorded no history.");
  if (n > 0 && feasible == 0)
    out += note("No candidate met the cost budget, so there is no best architecture and no Pareto front.");
  else if (n > 0 && input.best.is_null())
    out += note("No best architecture was recorded.");
  return out + "</header>\n";
}

// ---------------------------------------------------------------- scatter

// The data range with a margin, so that extreme points do not sit on the axes.
svg::Ticks padded_ticks(double lo, double hi, int target) {
  const double pad = 0.03 * (hi - lo);
  return svg::nice_ticks(lo - pad, hi + pad, target);
}

std::string render_scatter(const ReportInput& input, const Labels& labels) {
  std::string out = "<section>\n<h2>1 \u00b7 Candidates: " + escape(labels.accuracy) + " vs cost</h2>\n";
  struct Mark {
    Point p;
    std::string tooltip;
  };
  std::vector<Mark> feasible;
  std::vector<Mark> infeasible;
  std::size_t unplotted = 0;
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  const auto extend = [&](Point p) {
    x_lo = std::min(x_lo, p.x);
    x_hi = std::max(x_hi, p.x);
    y_lo = std::min(y_lo, p.y);
    y_hi = std::max(y_hi, p.y);
  };
  const auto point_of = [](const json& r) -> std::optional<Point> {
    const auto cost = finite_number(r, "cost");
    const auto accuracy = finite_number(r, "accuracy");
    if (!cost || !accuracy) return std::nullopt;
    return Point{*cost, *accuracy};
  };
  for (const json& r : input.history) {
    const auto p = point_of(r);
    if (!p) {
      ++unplotted;
      continue;
    }
    extend(*p);
    const std::string tooltip = fmt::format("#{} (round {}): {} {}, cost {}{}", integer(r, "index").value_or(0),
                                            integer(r, "round").value_or(0), labels.accuracy, format_number(p->y),
                                            labels.cost(p->x), is_feasible(r) ? "" : ", infeasible");
    (is_feasible(r) ? feasible : infeasible).push_back({*p, tooltip});
  }
  std::vector<Point> front;
  for (const json& r : input.pareto)
    if (const auto p = point_of(r)) front.push_back(*p);
  // The staircase needs cost order; the caller's order is not relied upon.
  std::stable_sort(front.begin(), front.end(), [](Point a, Point b) { return a.x < b.x; });
  const auto best = point_of(input.best);

  if (input.history.empty()) return out + note("Nothing to plot: no candidates were evaluated.") + "</section>\n";
  if (feasible.empty() && infeasible.empty())
    return out + note("Nothing to plot: no candidate has both a cost and an accuracy estimate.") + "</section>\n";
  for (const Point& p : front) extend(p);
  if (best) extend(*best);
  const bool equal_costs = x_lo == x_hi;
  const double common_cost = x_lo;
  const bool equal_accuracies = y_lo == y_hi;
  if (input.cost_budget) {
    x_lo = std::min(x_lo, *input.cost_budget);
    x_hi = std::max(x_hi, *input.cost_budget);
  }

  svg::Chart chart(padded_ticks(x_lo, x_hi, 9), padded_ticks(y_lo, y_hi, 6), labels.cost_axis(), labels.accuracy,
                   "scatter");
  std::vector<svg::LegendEntry> legend{{fmt::format("feasible ({})", feasible.size()), "pt-feasible"},
                                       {fmt::format("infeasible ({})", infeasible.size()), "pt-infeasible"}};
  if (!front.empty()) legend.push_back({"Pareto front", "pareto-line", svg::LegendKind::line});
  if (best) legend.push_back({"best", "pt-best"});
  if (input.cost_budget) legend.push_back({"budget", "budget-line", svg::LegendKind::line});
  chart.legend(legend);

  const double radius = feasible.size() + infeasible.size() > 600 ? 3.0 : 4.0;
  for (const Mark& m : infeasible) chart.marker(m.p, radius, "pt-infeasible", m.tooltip);
  for (const Mark& m : feasible) chart.marker(m.p, radius, "pt-feasible", m.tooltip);
  if (input.cost_budget)
    chart.vertical_line(*input.cost_budget, "budget-line", "budget " + labels.cost(*input.cost_budget));
  if (!front.empty()) {
    chart.polyline(svg::staircase(front), "pareto-line");
    for (const Point& p : front)
      chart.marker(p, 4.5, "pt-pareto",
                   fmt::format("Pareto: {} {}, cost {}", labels.accuracy, format_number(p.y), labels.cost(p.x)));
  }
  if (best) {
    chart.marker(*best, 9.0, "pt-best",
                 fmt::format("best: {} {}, cost {}", labels.accuracy, format_number(best->y), labels.cost(best->x)));
    const Point at = chart.to_pixels(*best);
    chart.canvas().text(at.x + 12, at.y - 10, "best", "best-label");
  }
  out += chart.str();
  out +=
      "<p class=\"caption\">Each dot is one evaluated candidate; hover for details. The Pareto front joins the "
      "feasible candidates that no other beats on both accuracy and cost.</p>\n";

  if (unplotted > 0)
    out +=
        note(fmt::format("{} candidate{} no accuracy estimate and {} not plotted: the search does not estimate "
                         "candidates that break a constraint, and an estimator may give no number.",
                         unplotted, unplotted == 1 ? " has" : "s have", unplotted == 1 ? "is" : "are"));
  if (equal_costs && feasible.size() + infeasible.size() > 1)
    out += note("All plotted candidates have the same cost (" + labels.cost(common_cost) +
                "); the cost axis is widened around it.");
  if (equal_accuracies && feasible.size() + infeasible.size() > 1)
    out += note("All plotted candidates have the same " + labels.accuracy + "; the axis is widened around it.");
  if (!input.cost_budget) out += note("No cost budget was set: every candidate counts as feasible.");

  if (!input.pareto.empty()) {
    out +=
        fmt::format("<details{}><summary>Pareto front: {} candidate{}</summary>\n<table>\n",
                    input.pareto.size() <= 12 ? " open" : "", input.pareto.size(), input.pareto.size() == 1 ? "" : "s");
    out += header_row({{"#", true},
                       {"round", true},
                       {labels.accuracy, true},
                       {"cost", true},
                       {"params", true},
                       {"architecture", false}});
    for (const json& r : input.pareto) {
      const auto accuracy = finite_number(r, "accuracy");
      const auto cost = finite_number(r, "cost");
      const auto params = finite_number(r, "params");
      out += "<tr>" + cell(fmt::format("{}", integer(r, "index").value_or(0)), true) +
             cell(fmt::format("{}", integer(r, "round").value_or(0)), true) +
             cell(accuracy ? format_number(*accuracy) : "\u2013", true) +
             cell(cost ? labels.cost(*cost) : "\u2013", true) +
             cell(params ? svg::format_si(*params) : "\u2013", true) +
             fmt::format("<td class=\"code\">{}</td>", escape(arch_text(r))) + "</tr>\n";
    }
    out += "</table>\n</details>\n";
  }
  return out + "</section>\n";
}

// ---------------------------------------------------------------- convergence

// Rounds are whole numbers: their axis steps by at least one, and a single
// round sits in the middle of its axis.
svg::Ticks round_ticks(double lo, double hi) {
  svg::Ticks ticks = svg::nice_ticks(lo, hi, 10);
  if (ticks.step >= 1.0) return ticks;
  ticks = svg::Ticks{lo - 0.5, hi + 0.5, 1.0, {}};
  for (double r = lo; r <= hi; r += 1.0) ticks.values.push_back(r);
  return ticks;
}

std::string render_convergence(const Labels& labels, const std::vector<RoundProgress>& rounds) {
  std::string out = "<section>\n<h2>2 \u00b7 Convergence</h2>\n";
  std::vector<Point> best;
  std::vector<std::vector<Point>> median_runs(1);
  double y_lo = INFINITY, y_hi = -INFINITY;
  for (const RoundProgress& r : rounds) {
    const auto x = static_cast<double>(r.round);
    if (r.best_so_far) {
      best.push_back({x, *r.best_so_far});
      y_lo = std::min(y_lo, *r.best_so_far);
      y_hi = std::max(y_hi, *r.best_so_far);
    }
    // A round without a median breaks the lighter line instead of bridging it.
    if (r.median) {
      median_runs.back().push_back({x, *r.median});
      y_lo = std::min(y_lo, *r.median);
      y_hi = std::max(y_hi, *r.median);
    } else if (!median_runs.back().empty()) {
      median_runs.emplace_back();
    }
  }
  if (rounds.empty()) return out + note("Nothing to plot: no candidates were evaluated.") + "</section>\n";
  if (best.empty())
    return out + note("Nothing to plot: no feasible candidate has an accuracy estimate.") + "</section>\n";

  svg::Chart chart(round_ticks(static_cast<double>(rounds.front().round), static_cast<double>(rounds.back().round)),
                   padded_ticks(y_lo, y_hi, 6), "round", labels.accuracy, "convergence",
                   svg::ChartLayout{.height = 320});
  chart.legend({{"best feasible so far", "best-so-far", svg::LegendKind::line},
                {"median of the round's feasible candidates", "round-median", svg::LegendKind::line}});
  const bool dots = rounds.size() <= 80;
  for (const auto& run : median_runs) {
    if (run.size() > 1) chart.polyline(run, "round-median");
    if (dots || run.size() == 1)
      for (const Point& p : run)
        chart.marker(p, 2.5, "pt-round-median",
                     fmt::format("round {}: median {}", static_cast<std::int64_t>(p.x), format_number(p.y)));
  }
  if (best.size() > 1) chart.polyline(best, "best-so-far");
  if (dots || best.size() == 1)
    for (const Point& p : best)
      chart.marker(p, 3.2, "pt-best-so-far",
                   fmt::format("round {}: best so far {}", static_cast<std::int64_t>(p.x), format_number(p.y)));
  out += chart.str();
  if (rounds.size() == 1) out += note("The search ran a single round, so the curves are single points.");
  return out + "</section>\n";
}

// ---------------------------------------------------------------- architecture

// What each layer is called in the diagram and the table; the first conv is the stem.
std::vector<std::string> layer_titles(const std::vector<models::LayerSummary>& layers) {
  std::vector<std::string> titles;
  bool seen_conv = false;
  for (const auto& l : layers) {
    if (l.type == "conv") {
      titles.emplace_back(seen_conv ? "conv" : "stem conv");
      seen_conv = true;
    } else {
      titles.push_back(l.type == "mbconv" ? "MBConv" : l.type == "bn" ? "BN" : l.type);
    }
  }
  return titles;
}

std::string layer_detail(const models::LayerSummary& l) {
  if (l.type == "mbconv") return fmt::format("k{} \u00b7 e{}", l.kernel, l.expand);
  if (l.type == "conv" || l.type == "reduction") return fmt::format("{0}\u00d7{0} {1}", l.kernel, l.activation);
  if (l.type == "pool")
    return l.output.rank() == 3 && l.output[1] == 1 ? "global average" : fmt::format("k{}", l.kernel);
  if (l.type == "linear" && l.input.rank() == 1 && l.output.rank() == 1)
    return fmt::format("{} \u2192 {}", l.input[0], l.output[0]);
  if (l.type == "resize" && l.output.rank() == 3) return fmt::format("to {}\u00d7{}", l.output[1], l.output[2]);
  return l.activation;
}

// Geometry of the block diagram, in pixels.
struct Blocks {
  static constexpr double width = 960;
  static constexpr double margin = 12;
  static constexpr double box_w = 116;
  static constexpr double box_h = 70;
  static constexpr double gap = 20;
  static constexpr double above = 24;  // room for residual bypasses
  static constexpr double below = 26;  // room for the connector to the next row
  static constexpr double pitch = above + box_h + below;
  static constexpr std::size_t per_row = static_cast<std::size_t>((width - 2 * margin + gap) / (box_w + gap));

  static double x(std::size_t i) { return margin + static_cast<double>(i % per_row) * (box_w + gap); }
  static double top(std::size_t i) { return 8 + static_cast<double>(i / per_row) * pitch + above; }
};

// A triangle pointing right with its tip at (x, y).
std::string arrow_head(double x, double y) {
  return fmt::format("M{:.1f} {:.1f} L{:.1f} {:.1f} L{:.1f} {:.1f} Z", x, y, x - 6, y - 3.5, x - 6, y + 3.5);
}

std::string render_block_diagram(const std::vector<models::LayerSummary>& layers) {
  using B = Blocks;
  const std::size_t rows = (layers.size() + B::per_row - 1) / B::per_row;
  svg::Canvas canvas(B::width, 8 + static_cast<double>(rows) * B::pitch + 4, "blocks");
  std::int64_t max_macs = 0;
  for (const auto& l : layers) max_macs = std::max(max_macs, l.macs);
  const std::vector<std::string> titles = layer_titles(layers);

  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    const double x = B::x(i);
    const double y = B::top(i);
    const double mid = y + B::box_h / 2;
    // The connector from the previous box: a straight arrow within a row, a
    // bend down and back to the left margin across rows.
    if (i > 0) {
      if (i % B::per_row != 0) {
        canvas.line(x - B::gap, mid, x - 1, mid, "flow");
      } else {
        const double from_x = B::x(i - 1) + B::box_w;
        const double from_mid = B::top(i - 1) + B::box_h / 2;
        const double turn_y = B::top(i - 1) + B::box_h + B::below / 2 + 4;
        canvas.path(fmt::format("M{:.1f} {:.1f} H{:.1f} V{:.1f} H{:.1f} V{:.1f} H{:.1f}", from_x, from_mid, from_x + 8,
                                turn_y, B::margin - 10, turn_y, mid, x - 1),
                    "flow");
      }
      canvas.path(arrow_head(x, mid), "arrow-head");
    }
    const double share = max_macs > 0 ? static_cast<double>(l.macs) / static_cast<double>(max_macs) : 0.0;
    const double lightness = 97.0 - 30.0 * std::sqrt(share);
    canvas.rect(x, y, B::box_w, B::box_h, "layer-box", 5, fmt::format("hsl(212,62%,{:.0f}%)", lightness));
    if (l.residual) {
      // A bypass over the box from the arrow before it to the arrow after it,
      // ending short of the next one's so that consecutive bypasses stay apart.
      const double from = x - B::gap / 2 + 1.5;
      const double to = x + B::box_w + B::gap / 2 - 1.5;
      const double over = y - 10;
      canvas.path(
          fmt::format("M{:.1f} {:.1f} V{:.1f} Q{:.1f} {:.1f} {:.1f} {:.1f} H{:.1f} Q{:.1f} {:.1f} {:.1f} {:.1f} "
                      "V{:.1f}",
                      from, mid, over + 5, from, over, from + 5, over, to - 5, to, over, to, over + 5, mid),
          "residual");
    }
    canvas.text(x + 8, y + 16, titles[i], "box-title");
    canvas.text(x + 8, y + 31, layer_detail(l), "box-text");
    canvas.text(x + 8, y + 45, shape_text(l.output), "box-text");
    canvas.text(x + 8, y + 58, l.macs > 0 ? svg::format_si(static_cast<double>(l.macs)) + " MACs" : "no MACs",
                "box-muted");
    if (share > 0.0) canvas.rect(x + 6, y + B::box_h - 7, (B::box_w - 12) * share, 3, "mac-bar");
    double badge_x = x + B::box_w - 5;
    const auto badge = [&](std::string_view text, std::string_view css_class) {
      badge_x -= 20;
      canvas.rect(badge_x, y + 5, 18, 13, css_class, 3);
      canvas.text(badge_x + 9, y + 15, text, "badge-text", svg::Anchor::middle);
      badge_x -= 2;
    };
    if (l.stride > 1) badge(fmt::format("s{}", l.stride), "badge-stride");
    if (l.se) badge("SE", "badge-se");
  }
  return canvas.str();
}

std::string render_layer_table(const std::vector<models::LayerSummary>& layers) {
  std::string out = "<table>\n";
  out += header_row({{"#", true},
                     {"layer", false},
                     {"input", false},
                     {"output", false},
                     {"kernel", true},
                     {"stride", true},
                     {"expand", true},
                     {"SE", false},
                     {"residual", false},
                     {"activation", false},
                     {"MACs", true},
                     {"params", true}});
  const std::vector<std::string> titles = layer_titles(layers);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    const bool mbconv = l.type == "mbconv";
    out += "<tr>" + cell(fmt::format("{}", i), true) + cell(titles[i]) + cell(shape_text(l.input)) +
           cell(shape_text(l.output)) + cell(l.kernel > 0 ? fmt::format("{}", l.kernel) : "\u2013", true) +
           cell(fmt::format("{}", l.stride), true) + cell(mbconv ? fmt::format("{}", l.expand) : "\u2013", true) +
           cell(l.se ? "yes" : "") + cell(l.residual ? "yes" : "") + cell(l.activation) +
           cell(group_digits(l.macs), true) + cell(group_digits(l.params), true) + "</tr>\n";
  }
  out += "<tr class=\"total\"><td></td><td>total</td><td colspan=\"8\"></td>" +
         cell(group_digits(models::total_macs(layers)), true) + cell(group_digits(models::total_params(layers)), true) +
         "</tr>\n";
  return out + "</table>\n";
}

std::string render_architecture(const ReportInput& input) {
  std::string out = "<section>\n<h2>3 \u00b7 Best architecture</h2>\n";
  if (input.best_layers.empty()) {
    const char* why = input.best.is_null() ? "there is no best architecture" : "its layers were not given";
    return out + note(fmt::format("No architecture to draw: {}.", why)) + "</section>\n";
  }
  if (input.best.is_object())
    out += fmt::format("<p class=\"caption\"><code>{}</code></p>\n", escape(arch_text(input.best)));
  out += render_block_diagram(input.best_layers);
  out +=
      "<p class=\"caption\">One box per layer, in order; darker boxes and longer bars do more "
      "multiply-accumulates. <b>k</b>: kernel, <b>e</b>: expand ratio; badges mark stride 2 (s2) and "
      "squeeze-excite (SE); a green bypass marks a residual connection.</p>\n";
  out += render_layer_table(input.best_layers);
  return out + "</section>\n";
}

// ---------------------------------------------------------------- final

std::string render_final(const ReportInput& input) {
  const json& f = input.final;
  std::string out = "<section>\n<h2>4 \u00b7 Test accuracy and latency</h2>\n<div class=\"cards\">\n";
  const auto test_acc = finite_number(f, "test_acc");
  const auto epochs = integer(f, "epochs");
  const auto train_seconds = finite_number(f, "train_seconds");
  std::string detail = epochs ? fmt::format("after {} epoch{}", *epochs, *epochs == 1 ? "" : "s") : "";
  if (f.contains("supernet")) detail = "supernet weights, batch norms recalibrated";
  if (train_seconds) detail += (detail.empty() ? "" : ", ") + format_duration(*train_seconds);
  // Accuracy is a fraction; anything above one was already given in percent.
  out += card("test accuracy",
              test_acc ? (*test_acc <= 1.0 ? percent(*test_acc) : format_number(*test_acc) + " %") : "\u2013", detail);
  const auto measured = finite_number(f, "measured_ms");
  const auto predicted = finite_number(f, "predicted_ms");
  out += card("measured latency", measured ? format_number(*measured) + " ms" : "\u2013", "on this machine");
  std::string error;
  if (measured && predicted && *measured > 0.0) {
    const double relative = (*predicted - *measured) / *measured;
    error = fmt::format("{}{} vs measured", relative >= 0 ? "+" : "", percent(relative));
  }
  out += card("predicted latency", predicted ? format_number(*predicted) + " ms" : "\u2013", error);
  out += "</div>\n";

  if (measured && predicted) {
    // Two bars on one scale; the budget joins them when it is in ms too.
    const std::optional<double> budget = input.cost_unit == "ms" ? input.cost_budget : std::nullopt;
    double top = std::max(*measured, *predicted);
    if (budget) top = std::max(top, *budget);
    // The y domain reaches above the bars to leave the budget's label a free line.
    svg::Chart chart(svg::nice_ticks(0.0, top, 6), svg::Ticks{0.0, 2.5, 1.0, {}}, "latency (ms)", "", "latency-bars",
                     svg::ChartLayout{.height = 170, .left = 110, .top = 16, .bottom = 46});
    const auto bar = [&](double row, double value, std::string_view css_class, std::string_view label) {
      const double y = chart.py(row + 0.8);
      chart.canvas().rect(chart.px(0.0), y, chart.px(value) - chart.px(0.0), chart.py(row + 0.2) - y, css_class);
      const double middle = (y + chart.py(row + 0.2)) / 2 + 4;
      chart.canvas().text(chart.px(0.0) - 8, middle, label, "tick-label", svg::Anchor::end);
      chart.canvas().text(chart.px(value) + 6, middle, format_number(value) + " ms", "bar-label");
    };
    bar(1.0, *measured, "bar-measured", "measured");
    bar(0.0, *predicted, "bar-predicted", "predicted");
    if (budget) chart.vertical_line(*budget, "budget-line", "budget " + format_number(*budget) + " ms");
    out += chart.str();
  }
  if (!test_acc && !measured && !predicted) out += note("The final result holds no accuracy or latency.");
  return out + "</section>\n";
}

// ---------------------------------------------------------------- configuration

void flatten(const json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& rows) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) flatten(child, prefix.empty() ? key : prefix + "." + key, rows);
    return;
  }
  rows.emplace_back(prefix, value.is_string() ? value.get<std::string>() : compact(value));
}

std::string render_config(const ReportInput& input, int number) {
  std::string out = fmt::format("<section>\n<h2>{} \u00b7 Configuration</h2>\n", number);
  if (!input.config.is_object() || input.config.empty())
    return out + note("No configuration was recorded.") + "</section>\n";
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(input.config, "", rows);
  out += "<table class=\"config\">\n" + header_row({{"setting", false}, {"value", false}});
  for (const auto& [key, value] : rows)
    out += "<tr>" + cell(key) + fmt::format("<td class=\"code\">{}</td>", escape(value)) + "</tr>\n";
  return out + "</table>\n</section>\n";
}

double median_of(std::vector<double> values) {
  const std::size_t half = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half), values.end());
  const double upper = values[half];
  if (values.size() % 2 == 1) return upper;
  return (*std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half)) + upper) / 2.0;
}

}  // namespace

std::vector<RoundProgress> convergence(const std::vector<json>& history) {
  struct Round {
    std::int64_t evaluated = 0;
    std::int64_t feasible = 0;
    std::vector<double> accuracies;
  };
  std::map<std::int64_t, Round> by_round;
  for (const json& r : history) {
    Round& round = by_round[integer(r, "round").value_or(0)];
    ++round.evaluated;
    if (!is_feasible(r)) continue;
    ++round.feasible;
    if (const auto accuracy = finite_number(r, "accuracy")) round.accuracies.push_back(*accuracy);
  }
  std::vector<RoundProgress> progress;
  std::optional<double> best;
  for (auto& [index, round] : by_round) {
    RoundProgress p;
    p.round = index;
    p.evaluated = round.evaluated;
    p.feasible = round.feasible;
    if (!round.accuracies.empty()) {
      const double top = *std::max_element(round.accuracies.begin(), round.accuracies.end());
      best = best ? std::max(*best, top) : top;
      p.median = median_of(std::move(round.accuracies));
    }
    p.best_so_far = best;
    progress.push_back(p);
  }
  return progress;
}

std::string render_report(const ReportInput& input) {
  const Labels labels = labels_of(input);
  const std::vector<RoundProgress> rounds = convergence(input.history);
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n"
      "<style>{}</style>\n</head>\n<body>\n<main>\n",
      escape(input.title.empty() ? "hwnas search" : input.title), stylesheet);
  out += render_header(input, labels, rounds);
  out += render_scatter(input, labels);
  out += render_convergence(labels, rounds);
  out += render_architecture(input);
  const bool has_final = input.final.is_object();
  if (has_final) out += render_final(input);
  out += render_config(input, has_final ? 5 : 4);
  return out + "</main>\n</body>\n</html>\n";
}

}  // namespace hwnas::app
