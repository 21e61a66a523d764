// StatsMergeWatch: keeps an eye on the once-a-second merge of the loops'
// stats into the run's table.
//
// Why: the commonest mistake in a Locust-style test is a URL with an id and
// no name= grouping, so every request gets its own stats row. loadhost copes
// (a row with few samples costs about a kilobyte), but the user should know:
// past kManyNames distinct names it warns once, naming a few of them. And
// since the merge runs on the control thread, its cost is measured and
// reported at the end of such a run.
//
// Thread safety: none; the control thread's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/stats/stats_table.hpp"

namespace loadhost::core {

class StatsMergeWatch {
 public:
  static constexpr std::size_t kManyNames = 1000;

  // After a merge that cost `merge_ns` of the control thread's CPU: the warning, the first time the
  // table holds more than kManyNames names; otherwise "".
  std::string after_merge(const stats::StatsTable& table, std::uint64_t merge_ns);

  // For the end of a run with many names: how many, and what the merges
  // cost ("" below kManyNames).
  std::string summary(const stats::StatsTable& table) const;

  std::uint64_t max_merge_ns() const { return max_ns_; }

 private:
  bool warned_ = false;
  std::uint64_t merges_ = 0;
  std::uint64_t total_ns_ = 0;
  std::uint64_t max_ns_ = 0;
};

}  // namespace loadhost::core
