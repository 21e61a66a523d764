// Writing report files: one error type and one atomic write for every
// report writer.
//
// Why atomic (write a sibling temp file, then rename): CSV and JSON reports
// are rewritten every second while dashboards and CI scripts read them; a
// reader must see the previous or the next version, never half of one.
#pragma once

#include <string>
#include <string_view>

namespace loadhost::report {

// Empty error_ means success; otherwise one line naming the file and why.
struct [[nodiscard]] WriteResult {
  std::string error_;
  bool ok() const { return error_.empty(); }
};

// Replaces `path` with `content`. Thread safety: any thread, but not two
// writers of the same path at once.
WriteResult write_file_atomically(const std::string& path, std::string_view content);

// Why a report file (or a CSV prefix) at `path` could not be written there:
// its directory is missing, not a directory, or not writable; "" when it
// can be. Checked before a test, so a wrong path costs no run.
std::string output_directory_problem(const std::string& path);

// One line for a failed file operation: "cannot write 'x.csv': <reason>".
WriteResult file_error(std::string_view verb, const std::string& path);

}  // namespace loadhost::report
