#include "hwnas/core/progress_bar.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <unistd.h>

namespace hwnas {
namespace {

constexpr int bar_width = 20;
constexpr auto redraw_interval = std::chrono::milliseconds(100);

}  // namespace

ProgressBar::ProgressBar(std::int64_t total, std::string label, std::FILE* out)
    : total_(std::max<std::int64_t>(total, 1)),
      label_(std::move(label)),
      out_(out),
      terminal_(isatty(fileno(out)) != 0),
      start_(Clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_ && !finished_ && terminal_) std::fputc('\n', out_);
}

std::string ProgressBar::format_duration(double seconds) {
  const auto s = static_cast<std::int64_t>(std::max(0.0, std::round(seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

void ProgressBar::update(std::int64_t done, std::string_view status) {
  if (first_done_ < 0) {
    first_done_ = done;
    start_ = Clock::now();
  }
  done_ = std::clamp<std::int64_t>(done, 0, total_);
  status_ = status;
  if (terminal_) {
    if (Clock::now() - last_draw_ >= redraw_interval || done_ == total_) draw(false);
  } else if (const std::int64_t decile = done_ * 10 / total_; decile < 10 && decile > last_logged_decile_) {
    // The last tenth is drawn by finish().
    last_logged_decile_ = decile;
    draw(false);
  }
}

void ProgressBar::note(std::string_view line) {
  if (terminal_ && drawn_) std::fputs("\r\033[K", out_);
  fmt::print(out_, "{}\n", line);
  if (terminal_ && drawn_) draw(false);
  std::fflush(out_);
}

void ProgressBar::finish() {
  if (finished_) return;
  draw(true);
  finished_ = true;
}

void ProgressBar::draw(bool final) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const auto filled = static_cast<int>(done_ * bar_width / total_);
  std::string line = fmt::format("{} [{}{}] {:>{}}/{}", label_, std::string(static_cast<std::size_t>(filled), '#'),
                                 std::string(static_cast<std::size_t>(bar_width - filled), '-'), done_,
                                 fmt::formatted_size("{}", total_), total_);
  if (!status_.empty()) line += "  " + status_;
  const auto progressed = done_ - std::max<std::int64_t>(first_done_, 0);
  if (final)
    line += "  " + format_duration(elapsed);
  else if (progressed > 0 && elapsed > 0.0)
    line += "  ETA " + format_duration(elapsed / static_cast<double>(progressed) * static_cast<double>(total_ - done_));
  if (terminal_) {
    fmt::print(out_, "\r\033[K{}{}", line, final ? "\n" : "");
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
  drawn_ = true;
  last_draw_ = Clock::now();
}

}  // namespace hwnas
