#pragma once
// Runs the `hwnas` tool as users run it, for the CLI tests.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hwnas::testing {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// An empty directory `hwnas-<name>` under the test's temporary directory
/// (whatever an earlier run left there is removed).
inline std::filesystem::path fresh_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / ("hwnas-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// The JSON document in the file at `path`.
inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

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

/// The JSON documents of JSON Lines output, one per line.
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

/// Bad input: exit code 2 and a one-line error naming the problem.
inline void expect_bad_input(const std::string& arguments, const std::string& fragment) {
  SCOPED_TRACE(arguments);
  const Outcome o = run_hwnas(arguments);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find(fragment), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
}

/// Starts `hwnas <arguments>` in the background and kills it (SIGKILL) as
/// soon as `file` exists; false if that never happened within a minute.
inline bool kill_once_written(const std::string& arguments, const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  const fs::path pid_file = file.string() + ".pid";
  const std::string background =
      std::string(HWNAS_CLI) + " " + arguments + " >/dev/null 2>&1 & echo $! > " + pid_file.string();
  if (std::system(background.c_str()) != 0) return false;
  for (int i = 0; i < 6000 && !fs::exists(file); ++i) ::usleep(10'000);
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  if (!fs::exists(file) || pid <= 0) return false;
  ::kill(pid, SIGKILL);
  ::usleep(100'000);  // let it go before anyone reads what it left
  return true;
}

}  // namespace hwnas::testing
