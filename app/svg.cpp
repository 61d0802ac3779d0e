#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

namespace hwnas::app::svg {
namespace {

// Pixel coordinates: a tenth of a pixel is finer than any screen shows.
std::string coord(double v) { return fmt::format("{:.1f}", v); }

std::string_view anchor_name(Anchor anchor) {
  switch (anchor) {
    case Anchor::middle:
      return "middle";
    case Anchor::end:
      return "end";
    case Anchor::start:
      break;
  }
  return "start";
}

// Drops trailing zeros of a fixed-point number: "12.30" -> "12.3", "4.00" -> "4".
std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// Legend text is drawn in the figure's 12px font: a rough width, enough to
// place the next entry without overlap.
double text_width(std::string_view text) { return 6.8 * static_cast<double>(text.size()); }

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_number(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (value == 0.0) return "0";
  const double magnitude = std::abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e9) return fmt::format("{:.{}g}", value, std::max(digits - 1, 1));
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const int decimals = std::clamp(digits - 1 - exponent, 0, 8);
  std::string s = trim_zeros(fmt::format("{:.{}f}", value, decimals));
  return s == "-0" ? "0" : s;
}

std::string format_si(double value) {
  if (!std::isfinite(value)) return format_number(value);
  static constexpr std::pair<double, const char*> units[] = {{1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}};
  double scale = 1.0;
  const char* suffix = "";
  // A value that would round up to 1000 of one unit is shown in the next.
  for (const auto& [unit, name] : units) {
    if (std::abs(value) >= unit * 0.9995) {
      scale = unit;
      suffix = name;
    }
  }
  return format_number(value / scale, 3) + suffix;
}

Ticks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0.0;
    hi = 1.0;
  }
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(lo))) {
    const double pad = lo == 0.0 ? 1.0 : 0.1 * std::abs(lo);
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(target - 1, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / power;
  const double multiple = fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0;
  Ticks ticks;
  ticks.step = multiple * power;
  // The tolerance keeps a bound that is already a multiple from gaining a step.
  ticks.lo = std::floor(lo / ticks.step + 1e-9) * ticks.step;
  ticks.hi = std::ceil(hi / ticks.step - 1e-9) * ticks.step;
  const auto count = static_cast<std::ptrdiff_t>(std::llround((ticks.hi - ticks.lo) / ticks.step));
  for (std::ptrdiff_t i = 0; i <= count; ++i) {
    const double v = ticks.lo + static_cast<double>(i) * ticks.step;
    ticks.values.push_back(std::abs(v) < ticks.step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  if (std::abs(value) < std::abs(step) * 1e-9) value = 0.0;
  if (std::abs(step) >= 1e4) return format_si(value);
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(std::abs(step)) + 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

std::vector<Point> staircase(const std::vector<Point>& points) {
  std::vector<Point> steps;
  for (std::size_t i = 0; i < points.size(); ++i) {
    steps.push_back(points[i]);
    if (i + 1 < points.size()) steps.push_back({points[i + 1].x, points[i].y});
  }
  return steps;
}

Canvas::Canvas(double width, double height, std::string_view css_class)
    : width_(width), height_(height), class_(escape(css_class)) {}

void Canvas::rect(double x, double y, double w, double h, std::string_view css_class, double radius,
                  std::string_view fill) {
  body_ += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="{}" height="{}")", escape(css_class), coord(x),
                       coord(y), coord(w), coord(h));
  if (radius > 0.0) body_ += fmt::format(R"( rx="{}")", coord(radius));
  if (!fill.empty()) body_ += fmt::format(R"( style="fill:{}")", escape(fill));
  body_ += "/>\n";
}

void Canvas::line(double x1, double y1, double x2, double y2, std::string_view css_class) {
  body_ += fmt::format(R"(<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>)"
                       "\n",
                       escape(css_class), coord(x1), coord(y1), coord(x2), coord(y2));
}

void Canvas::circle(double cx, double cy, double r, std::string_view css_class, std::string_view tooltip) {
  body_ +=
      fmt::format(R"(<circle class="{}" cx="{}" cy="{}" r="{}")", escape(css_class), coord(cx), coord(cy), coord(r));
  body_ += tooltip.empty() ? std::string("/>\n") : fmt::format("><title>{}</title></circle>\n", escape(tooltip));
}

void Canvas::polyline(const std::vector<Point>& points, std::string_view css_class) {
  std::string list;
  for (const Point& p : points) {
    if (!list.empty()) list += ' ';
    list += coord(p.x) + ',' + coord(p.y);
  }
  body_ += fmt::format(R"(<polyline class="{}" points="{}"/>)"
                       "\n",
                       escape(css_class), list);
}

void Canvas::path(std::string_view d, std::string_view css_class) {
  body_ += fmt::format(R"(<path class="{}" d="{}"/>)"
                       "\n",
                       escape(css_class), d);
}

void Canvas::text(double x, double y, std::string_view content, std::string_view css_class, Anchor anchor,
                  double rotate) {
  body_ += fmt::format(R"(<text class="{}" x="{}" y="{}" text-anchor="{}")", escape(css_class), coord(x), coord(y),
                       anchor_name(anchor));
  if (rotate != 0.0)
    body_ += fmt::format(R"attr( transform="rotate({} {} {})")attr", coord(rotate), coord(x), coord(y));
  body_ += fmt::format(">{}</text>\n", escape(content));
}

std::string Canvas::str() const {
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img">)"
      "\n{}</svg>\n",
      class_, coord(width_), coord(height_), coord(width_), coord(height_), body_);
}

Chart::Chart(Ticks x, Ticks y, std::string_view x_label, std::string_view y_label, std::string_view css_class,
             ChartLayout layout)
    : x_(std::move(x)), y_(std::move(y)), layout_(layout), canvas_(layout.width, layout.height, css_class) {
  draw_axes(x_label, y_label);
}

double Chart::px(double x) const {
  const double span = layout_.width - layout_.left - layout_.right;
  return layout_.left + (x - x_.lo) / (x_.hi - x_.lo) * span;
}

double Chart::py(double y) const {
  const double span = layout_.height - layout_.top - layout_.bottom;
  return layout_.height - layout_.bottom - (y - y_.lo) / (y_.hi - y_.lo) * span;
}

void Chart::draw_axes(std::string_view x_label, std::string_view y_label) {
  const double left = layout_.left;
  const double right = layout_.width - layout_.right;
  const double top = layout_.top;
  const double bottom = layout_.height - layout_.bottom;
  canvas_.rect(left, top, right - left, bottom - top, "plot-area");
  for (const double v : x_.values) {
    canvas_.line(px(v), top, px(v), bottom, "grid");
    canvas_.text(px(v), bottom + 18, tick_label(v, x_.step), "tick-label", Anchor::middle);
  }
  for (const double v : y_.values) {
    canvas_.line(left, py(v), right, py(v), "grid");
    canvas_.text(left - 8, py(v) + 4, tick_label(v, y_.step), "tick-label", Anchor::end);
  }
  canvas_.line(left, bottom, right, bottom, "axis");
  canvas_.line(left, top, left, bottom, "axis");
  canvas_.text((left + right) / 2, layout_.height - 14, x_label, "axis-label", Anchor::middle);
  canvas_.text(18, (top + bottom) / 2, y_label, "axis-label", Anchor::middle, -90.0);
}

void Chart::marker(Point p, double r, std::string_view css_class, std::string_view tooltip) {
  canvas_.circle(px(p.x), py(p.y), r, css_class, tooltip);
}

void Chart::polyline(const std::vector<Point>& points, std::string_view css_class) {
  std::vector<Point> pixels;
  pixels.reserve(points.size());
  for (const Point& p : points) pixels.push_back(to_pixels(p));
  canvas_.polyline(pixels, css_class);
}

void Chart::vertical_line(double x, std::string_view css_class, std::string_view label) {
  const double at = px(x);
  canvas_.line(at, layout_.top, at, layout_.height - layout_.bottom, css_class);
  // Labels near the right edge go to the line's left so they stay inside.
  const bool flip = at + text_width(label) + 6 > layout_.width - layout_.right;
  canvas_.text(flip ? at - 5 : at + 5, layout_.top + 14, label, "line-label", flip ? Anchor::end : Anchor::start);
}

void Chart::legend(const std::vector<LegendEntry>& entries) {
  double x = layout_.left;
  const double y = layout_.top - 18;
  for (const LegendEntry& entry : entries) {
    const std::string swatch = "swatch " + entry.css_class;
    if (entry.kind == LegendKind::marker) {
      canvas_.circle(x + 8, y, 5, swatch);
    } else {
      canvas_.line(x, y, x + 18, y, swatch);
    }
    canvas_.text(x + 22, y + 4, entry.label, "legend-label");
    x += 22 + text_width(entry.label) + 18;
  }
}

}  // namespace hwnas::app::svg
