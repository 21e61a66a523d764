#include "core/report/exceptions_text.hpp"

#include <fmt/format.h>

namespace loadhost::report {

std::vector<std::string> new_exception_lines(const stats::StatsTable& table, std::set<std::string>& said) {
  std::vector<std::string> lines;
  for (const stats::ExceptionRecord* x : table.sorted_exceptions()) {
    if (!said.insert(x->message_).second) continue;
    // The detail's first line says where (a traceback may follow it).
    const std::string where = x->detail_.substr(0, x->detail_.find('\n'));
    lines.push_back(fmt::format("exception in {}: {} (counted from now on, listed at the end)",
                                where.empty() ? "user code" : where, x->message_));
  }
  return lines;
}

std::string exceptions_table_text(const stats::StatsTable& table) {
  const std::vector<const stats::ExceptionRecord*> exceptions = table.sorted_exceptions();
  if (exceptions.empty()) return {};
  const std::string separator = std::string(18, '-') + "|" + std::string(141, '-');
  std::string out = "Exceptions (in user code)\n";
  out += fmt::format("{:<18} {}\n", "# occurrences", "Message (where first seen)");
  out += separator + "\n";
  for (const stats::ExceptionRecord* x : exceptions)
    out += fmt::format("{:<18} {}{}\n", x->count_, x->message_, x->detail_.empty() ? "" : " (" + x->detail_ + ")");
  out += separator + "\n\n";
  return out;
}

}  // namespace loadhost::report
