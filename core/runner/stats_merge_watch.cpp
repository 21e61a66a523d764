#include "core/runner/stats_merge_watch.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace loadhost::core {

std::string StatsMergeWatch::after_merge(const stats::StatsTable& table, std::uint64_t merge_ns) {
  ++merges_;
  total_ns_ += merge_ns;
  max_ns_ = std::max(max_ns_, merge_ns);
  if (warned_ || table.entry_count() <= kManyNames) return "";
  warned_ = true;
  std::string examples;
  int shown = 0;
  for (const stats::StatsEntry* e : table.sorted_entries()) {
    examples += fmt::format("{}\"{} {}\"", shown ? ", " : "", e->type(), e->name());
    if (++shown == 3) break;
  }
  return fmt::format(
      "more than {} distinct request names (e.g. {}): if they are one kind of request with ids in the URL, "
      "group them with a name, e.g. client.get(url, {{.name = \"/item/[id]\"}}); every name is a row in "
      "every report",
      kManyNames, examples);
}

std::string StatsMergeWatch::summary(const stats::StatsTable& table) const {
  if (table.entry_count() <= kManyNames || merges_ == 0) return "";
  return fmt::format("{} request names; merging the loops' stats cost the control thread {:.1f} ms of CPU a second on average, "
                     "{:.1f} ms at most",
                     table.entry_count(), double(total_ns_) / double(merges_) / 1e6, double(max_ns_) / 1e6);
}

}  // namespace loadhost::core
