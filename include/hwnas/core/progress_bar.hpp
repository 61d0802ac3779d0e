#pragma once
/// \file
/// `ProgressBar`: one self-redrawing line on stderr for anything that takes
/// longer than a second,
///
///     epoch 2/3 [###########---------]  234/468  loss 0.4123  acc 0.8512  5210 img/s  ETA 0:42
///
/// Redraws are throttled (10 per second). When the stream is not a terminal
/// (a log file, CI), the bar prints a plain line at every 10% instead, so
/// logs stay readable. `note` prints a permanent line above the bar.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace hwnas {

class ProgressBar {
 public:
  /// A bar for `total` units of work labelled `label`, on `out`.
  ProgressBar(std::int64_t total, std::string label, std::FILE* out = stderr);
  /// Finishes the line if `finish` was not called.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// `done` of `total` units are complete; `status` is shown after the count.
  /// The first call sets the origin of the rate and ETA estimates, so a
  /// resumed job's earlier work does not inflate them.
  void update(std::int64_t done, std::string_view status = {});
  /// Prints `line` on its own, keeping the bar below it.
  void note(std::string_view line);
  /// Draws the final state and ends the line.
  void finish();

  /// "1:02:03" or "2:03".
  [[nodiscard]] static std::string format_duration(double seconds);

 private:
  using Clock = std::chrono::steady_clock;

  void draw(bool final);

  std::int64_t total_;
  std::string label_;
  std::FILE* out_;
  bool terminal_;
  std::int64_t done_ = 0;
  std::int64_t first_done_ = -1;
  std::string status_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  std::int64_t last_logged_decile_ = -1;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace hwnas
