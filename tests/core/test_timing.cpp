// Timing summaries and the progress bar's plain-log output.

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "hwnas/core/progress_bar.hpp"
#include "hwnas/core/timing.hpp"
#include "support/expect.hpp"

namespace hwnas {
namespace {

TEST(Quantile, InterpolatesBetweenOrderStatisticsLikeNumpy) {
  EXPECT_DOUBLE_EQ(quantile({3.0, 1.0, 2.0}, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(quantile({4.0, 1.0, 2.0, 3.0}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0}, 0.9), 9.1);
  EXPECT_DOUBLE_EQ(quantile({5.0}, 0.9), 5.0);
  testing::expect_error_containing<ConfigError>([] { (void)quantile({}, 0.5); }, "no values");
  testing::expect_error_containing<ConfigError>([] { (void)quantile({1.0}, 1.5); }, "q must be in [0, 1]");
}

TEST(TimeRuns, WarmsUpThenTimesEachRun) {
  int calls = 0;
  const TimingSummary t = time_runs([&] { ++calls; }, {.warmup = 3, .runs = 7});
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(t.runs_ms.size(), 7U);
  EXPECT_LE(t.min_ms, t.median_ms);
  EXPECT_LE(t.median_ms, t.p90_ms);
  EXPECT_LE(t.p90_ms, t.max_ms);
  testing::expect_error_containing<ConfigError>([] { (void)time_runs([] {}, {.warmup = 0, .runs = 0}); },
                                                "needs runs >= 1");
}

TEST(ProgressBar, PlainLogGetsALineEveryTenthAndAFinalLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar(100, "work", out);
    for (int done = 1; done <= 100; ++done) bar.update(done, "ok");
    bar.note("a note");
    bar.finish();
  }
  std::rewind(out);
  std::string text;
  for (int c = std::fgetc(out); c != EOF; c = std::fgetc(out)) text.push_back(static_cast<char>(c));
  std::fclose(out);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 12U) << text;  // deciles 0..9, the note, the final state
  EXPECT_NE(text.find("work [####################] 100/100  ok"), std::string::npos) << text;
  EXPECT_NE(text.find("a note\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << "no terminal control in logs";
}

}  // namespace
}  // namespace hwnas
