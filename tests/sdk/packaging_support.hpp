// What the packaging tests share: a command run to completion with its
// output, and a short headless loadhost run read back from its JSON report.
// The binaries run are the installed or extracted ones, never the build's.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace loadhost::test {

struct CommandResult {
  ExitStatus status;
  std::string out;
  std::string err;
  bool ok() const { return status.exited_normally(); }
  std::string text() const { return out + err; }
};

// Runs argv in `cwd` (the test's own directory when empty) and waits up to
// `limit`; a command still running then is killed and the test fails.
inline CommandResult run_command(const std::vector<std::string> &argv, std::chrono::seconds limit,
                                 const std::filesystem::path &cwd = {}) {
  TempDir output("loadhost-packaging-cmd");
  Process p(argv, output.path(), cwd);
  auto status = p.wait(limit);
  EXPECT_TRUE(status.has_value()) << argv[0] << " did not finish within " << limit.count() << " s";
  CommandResult result{status ? *status : p.stop(), p.stdout_text(), p.stderr_text()};
  return result;
}

inline std::string file_text(const std::filesystem::path &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ReportedRun {
  CommandResult command;
  nlohmann::json report;  // null when loadhost wrote none
  uint64_t requests() const { return report["aggregated"]["num_requests"].get<uint64_t>(); }
  uint64_t failures() const { return report["aggregated"]["num_failures"].get<uint64_t>(); }
};

// `loadhost --headless --only-summary --json ... args` with the given binary.
inline ReportedRun run_loadhost_binary(const std::filesystem::path &loadhost, std::vector<std::string> args) {
  TempDir dir("loadhost-packaging-run");
  std::vector<std::string> argv{loadhost.string(), "--headless", "--only-summary", "--json",
                                (dir.path() / "report.json").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ReportedRun run{run_command(argv, std::chrono::seconds(30), dir.path()), {}};
  std::ifstream json(dir.path() / "report.json");
  if (json) run.report = nlohmann::json::parse(json, nullptr, false);
  return run;
}

}  // namespace loadhost::test
