// Runs the built `loadhost` binary as a child process and reads what it
// wrote: the integration tests drive loadhost exactly as a user does.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace loadhost::test {

struct LoadhostRun {
  ExitStatus status;
  std::string out;
  std::string err;
  nlohmann::json report;  // --json, when the run wrote it
  std::filesystem::path dir;
  double seconds = 0;

  // The JSON entry for (type, name), or null.
  const nlohmann::json *entry(const std::string &type, const std::string &name) const {
    for (const auto &e : report["stats"])
      if (e["type"] == type && e["name"] == name) return &e;
    return nullptr;
  }
  uint64_t total_requests() const { return report["aggregated"]["num_requests"].get<uint64_t>(); }
  uint64_t total_failures() const { return report["aggregated"]["num_failures"].get<uint64_t>(); }
  std::string failure_errors() const {
    std::string out;
    for (const auto &f : report["failures"]) out += f["error"].get<std::string>() + "\n";
    return out;
  }
};

inline std::vector<std::string> loadhost_argv(std::vector<std::string> args, const std::filesystem::path &dir) {
  std::vector<std::string> argv{LH_LOADHOST_BIN, "--headless", "--only-summary", "--json",
                                (dir / "report.json").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

inline LoadhostRun finish_run(Process &p, const std::filesystem::path &dir, std::chrono::seconds limit,
                              std::chrono::steady_clock::time_point started) {
  LoadhostRun run;
  auto status = p.wait(limit);
  EXPECT_TRUE(status.has_value()) << "loadhost did not exit within " << limit.count() << " s";
  run.status = status ? *status : p.stop();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  run.out = p.stdout_text();
  run.err = p.stderr_text();
  run.dir = dir;
  std::ifstream json(dir / "report.json");
  if (json) run.report = nlohmann::json::parse(json, nullptr, false);
  return run;
}

// Runs loadhost with `args` (plus --headless --only-summary --json) and
// waits up to `limit` for it to exit.
inline LoadhostRun run_loadhost(const TempDir &dir, std::vector<std::string> args,
                                std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv(std::move(args), dir.path()), dir.path());
  return finish_run(p, dir.path(), limit, started);
}

}  // namespace loadhost::test
