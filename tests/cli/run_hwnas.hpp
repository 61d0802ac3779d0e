#pragma once
// Runs the `hwnas` tool as users run it, for the CLI tests.

#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace hwnas::testing {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `hwnas <arguments>` and captures its exit code, stdout and stderr.
inline Outcome run_hwnas(const std::string& arguments) {
  namespace fs = std::filesystem;
  const fs::path err_file = fs::path(::testing::TempDir()) / ("hwnas-stderr-" + std::to_string(::getpid()));
  const std::string command = std::string(HWNAS_CLI) + " " + arguments + " 2>" + err_file.string();
  Outcome outcome;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) outcome.out.append(buffer, n);
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (std::FILE* f = std::fopen(err_file.c_str(), "r")) {
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) outcome.err.append(buffer, n);
    std::fclose(f);
  }
  fs::remove(err_file);
  return outcome;
}

/// Bad input: exit code 2 and a one-line error naming the problem.
inline void expect_bad_input(const std::string& arguments, const std::string& fragment) {
  SCOPED_TRACE(arguments);
  const Outcome o = run_hwnas(arguments);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find(fragment), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
}

}  // namespace hwnas::testing
