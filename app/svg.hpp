#pragma once
// Small SVG plotting for the HTML report: a canvas of marks, a chart that
// maps data to pixels and draws axes on "nice" ticks, and number and text
// formatting. Marks carry CSS classes only; the page's stylesheet colours
// them, so one place decides the look of every figure.

#include <string>
#include <string_view>
#include <vector>

namespace hwnas::app::svg {

/// `text` with &, <, >, " and ' replaced by entities: safe both as element
/// content and inside a quoted attribute value.
[[nodiscard]] std::string escape(std::string_view text);

/// A number for people: about `digits` significant digits without an
/// exponent for everyday magnitudes (12.35, 0.8421, 123457), scientific
/// notation only below 1e-4 or from 1e9 on.
[[nodiscard]] std::string format_number(double value, int digits = 4);

/// A count with an SI suffix: 950, 12.3k, 4.56M, 1.2G.
[[nodiscard]] std::string format_si(double value);

/// An axis: its domain [lo, hi], widened from the data's range to whole
/// multiples of `step`, and the tick values on it.
struct Ticks {
  double lo = 0.0;
  double hi = 1.0;
  double step = 1.0;
  std::vector<double> values;
};

/// An axis covering [lo, hi] whose step is 1, 2 or 5 times a power of ten,
/// chosen so that about `target` ticks fall on it. An empty range (lo == hi)
/// is widened around its value, so that a single value still gets an axis.
[[nodiscard]] Ticks nice_ticks(double lo, double hi, int target = 6);

/// The label of tick `value`, with as many decimals as `step` needs.
[[nodiscard]] std::string tick_label(double value, double step);

struct Point {
  double x = 0.0;
  double y = 0.0;
};

/// A step line through points sorted by x: level at each point's y until the
/// next point's x, then a vertical rise (or fall) to the next point.
[[nodiscard]] std::vector<Point> staircase(const std::vector<Point>& points);

enum class Anchor { start, middle, end };

/// An <svg> element built mark by mark, in pixel coordinates.
class Canvas {
 public:
  /// `css_class` names the figure for the stylesheet; the element scales to
  /// its container's width and keeps its aspect ratio.
  Canvas(double width, double height, std::string_view css_class);

  [[nodiscard]] double width() const { return width_; }
  [[nodiscard]] double height() const { return height_; }

  /// `fill`, when given, overrides the class's fill colour (e.g. "hsl(210,60%,80%)").
  void rect(double x, double y, double w, double h, std::string_view css_class, double radius = 0.0,
            std::string_view fill = {});
  void line(double x1, double y1, double x2, double y2, std::string_view css_class);
  /// `tooltip` becomes a <title> child, which browsers show on hover.
  void circle(double cx, double cy, double r, std::string_view css_class, std::string_view tooltip = {});
  void polyline(const std::vector<Point>& points, std::string_view css_class);
  /// `d` is SVG path data built from numbers only, so it is not escaped.
  void path(std::string_view d, std::string_view css_class);
  /// `rotate` turns the text by that many degrees about (x, y).
  void text(double x, double y, std::string_view content, std::string_view css_class, Anchor anchor = Anchor::start,
            double rotate = 0.0);

  /// The finished element.
  [[nodiscard]] std::string str() const;

 private:
  double width_;
  double height_;
  std::string class_;
  std::string body_;
};

/// How a legend shows an entry: as a marker or a short line, styled by its class.
enum class LegendKind { marker, line };

struct LegendEntry {
  std::string label;
  /// The class of the marks it stands for.
  std::string css_class;
  LegendKind kind = LegendKind::marker;
};

/// A chart's size and the margins around its plot area, in pixels.
struct ChartLayout {
  double width = 960;
  double height = 420;
  double left = 76;
  double right = 24;
  double top = 44;
  double bottom = 58;
};

/// A 2-D chart: a canvas with a plot area inset by margins, data mapped
/// linearly onto it, and axes with grid lines, tick labels and titles.
class Chart {
 public:
  /// Draws the axes at once; marks added later lie on top of the grid.
  Chart(Ticks x, Ticks y, std::string_view x_label, std::string_view y_label, std::string_view css_class,
        ChartLayout layout = ChartLayout{});

  /// Data to pixels.
  [[nodiscard]] double px(double x) const;
  [[nodiscard]] double py(double y) const;
  [[nodiscard]] Point to_pixels(Point p) const { return {px(p.x), py(p.y)}; }

  void marker(Point p, double r, std::string_view css_class, std::string_view tooltip = {});
  void polyline(const std::vector<Point>& points, std::string_view css_class);
  /// A line across the plot area at `x` (e.g. a budget), labelled at its top.
  void vertical_line(double x, std::string_view css_class, std::string_view label);
  /// One row of entries above the plot area.
  void legend(const std::vector<LegendEntry>& entries);

  [[nodiscard]] Canvas& canvas() { return canvas_; }
  [[nodiscard]] std::string str() const { return canvas_.str(); }

 private:
  void draw_axes(std::string_view x_label, std::string_view y_label);

  Ticks x_;
  Ticks y_;
  ChartLayout layout_;
  Canvas canvas_;
};

}  // namespace hwnas::app::svg
