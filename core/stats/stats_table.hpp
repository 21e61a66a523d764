// StatsTable: all statistics of a run (or of one loop thread's share of it),
// Locust's RequestStats plus its errors and exceptions.
//
//   entries     (type, name)          -> StatsEntry, plus `total` ("Aggregated")
//   failures    (method, name, error) -> occurrences, first/last seen
//   exceptions  message               -> count, detail (user class/traceback)
//
// Why one table per loop thread, merged by the reporter: record() is on the
// path of every request, so it takes no lock; lookups hash string_views
// directly (heterogeneous lookup), so a request for an existing entry
// allocates nothing. Merging is bucket-wise and exact, so the merged table's
// percentiles equal those of one table that saw every sample.
//
// Thread safety: none. A loop thread records into its own table; the
// reporter merges tables only while their owners are not recording (e.g.
// after swapping them out).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/stats/stats_entry.hpp"

namespace loadhost::stats {

// One row of the failures table, Locust's StatsError.
struct Failure {
  std::string method_;  // request type
  std::string name_;
  std::string error_;  // the error text as reported by the protocol or user
  std::uint64_t occurrences_ = 0;
  double first_seen_ = 0.0;  // unix seconds
  double last_seen_ = 0.0;
};

// One row of the exceptions table: an exception thrown by user code.
struct ExceptionRecord {
  std::string message_;
  std::string detail_;  // user class or traceback text; first one seen
  std::uint64_t count_ = 0;
};

namespace detail {

// Owning key and its non-owning view; the map hashes and compares views, so
// find() with string_views never builds a std::string.
template <std::size_t N>
using KeyView = std::array<std::string_view, N>;

template <std::size_t N>
struct Key {
  std::array<std::string, N> parts_;
  operator KeyView<N>() const {  // NOLINT: implicit on purpose, for lookups
    KeyView<N> view;
    for (std::size_t i = 0; i < N; ++i) view[i] = parts_[i];
    return view;
  }
};

template <std::size_t N>
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const KeyView<N>& key) const {
    std::size_t h = 0;
    for (std::string_view part : key) {
      // boost::hash_combine's mixing, so ("ab","c") and ("a","bc") differ.
      h ^= std::hash<std::string_view>{}(part) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
  }
};

template <std::size_t N>
struct KeyEqual {
  using is_transparent = void;
  bool operator()(const KeyView<N>& a, const KeyView<N>& b) const { return a == b; }
};

template <std::size_t N, typename Value>
using KeyedMap = std::unordered_map<Key<N>, Value, KeyHash<N>, KeyEqual<N>>;

}  // namespace detail

class StatsTable {
 public:
  // start_time: unix seconds the run (or the last reset) started; rates are
  // measured from it, as Locust's stats.start_time. 0 = take the time of the
  // first recorded request.
  explicit StatsTable(double start_time = 0.0);
  // Copies rebuild the list of active entries (it points into the map) and
  // get an identity of their own; moves keep both, since the map's nodes
  // move with them, and leave the source a new identity.
  StatsTable(const StatsTable& other);
  StatsTable& operator=(const StatsTable& other);
  StatsTable(StatsTable&& other) noexcept;
  StatsTable& operator=(StatsTable&& other) noexcept;

  // Hot path: one finished request. `error` empty means success; otherwise
  // the request also counts as a failure of (type, name, error). No
  // allocation once the (type, name) entry exists (and, for failures, the
  // (type, name, error) row).
  void record(std::string_view type, std::string_view name, std::uint64_t response_time_us,
              std::uint64_t content_bytes, std::string_view error, double unix_now);
  // The same with the request's response time from its intended start
  // (docs/workload-models.md), which goes to the corrected histograms.
  void record(std::string_view type, std::string_view name, std::uint64_t response_time_us,
              std::uint64_t content_bytes, std::string_view error, double unix_now,
              std::uint64_t corrected_response_time_us);

  // Open-model iterations (core/engine/arrival_driver.hpp): started by the
  // schedule, or dropped because every user of the pool was busy at its
  // ceiling. A master adds its workers' counts the same way.
  struct Iterations {
    std::uint64_t started = 0;
    std::uint64_t dropped = 0;
  };
  void count_iterations(std::uint64_t started, std::uint64_t dropped) {
    iterations_.started += started;
    iterations_.dropped += dropped;
  }
  const Iterations& iterations() const { return iterations_; }

  // One request handed to a protocol plugin (CallEngine::start). Every one
  // ends as exactly one recorded request (a success, a failure, or the
  // failure "interrupted: ..." when the test stopped first), so after a run
  // requests_sent() == total().num_requests(). withdraw_sent() takes one
  // back: a call the scenario itself cancelled has no result to count.
  // Counted modulo 2^64, so a shard may withdraw what an earlier shard of
  // the same loop counted; sums over a loop's shards are exact.
  void count_sent() { ++requests_sent_; }
  void withdraw_sent() { --requests_sent_; }
  // A master adds its workers' counts (a worker's report carries its delta).
  void add_sent(std::uint64_t n) { requests_sent_ += n; }
  std::uint64_t requests_sent() const { return requests_sent_; }

  // An exception thrown by user code outside a request (`count` times: a
  // worker reports each distinct exception once, with its count).
  void record_exception(std::string_view message, std::string_view detail, std::uint64_t count = 1);

  // For a master reading a worker's report row by row (the report carries
  // rows, not samples): the (type, name) entry, created empty when new; the
  // Aggregated row, which such a caller fills from the report's own total
  // (record() keeps it in step by itself); a failure row `occurrences` times.
  StatsEntry& entry(std::string_view type, std::string_view name) { return activate(entry_for(type, name)); }
  StatsEntry& mutable_total() { return total_; }
  void record_failures(std::string_view type, std::string_view name, std::string_view error,
                       std::uint64_t occurrences, double unix_now);

  // Adds everything `other` recorded; exact. Start time becomes the earlier.
  // O(entries `other` holds samples in), not O(its rows): a loop's shard
  // remembers every name it ever saw, but merges only those seen since its
  // last reset.
  void merge(const StatsTable& other);

  // Zeroes every entry (keeping their rows, as Locust's reset_all) and clears
  // failures and exceptions. O(entries with samples).
  void reset(double start_time = 0.0);

  // Nothing recorded (nor sent) since construction or the last reset.
  bool empty() const;

  const StatsEntry& total() const { return total_; }
  // nullptr when (type, name) has no entry.
  const StatsEntry* find(std::string_view type, std::string_view name) const;
  std::size_t entry_count() const { return entries_.size(); }
  double start_time() const { return start_time_; }
  // Locust's stats.last_request_timestamp: the `now` of current rates.
  double last_request_time() const { return total_.last_request_time(); }

  // Sorted views for the reports; pointers stay valid until the next
  // record/merge/reset of this table.
  // Entries by name, then type (Locust sorts its (name, method) keys).
  std::vector<const StatsEntry*> sorted_entries() const;
  // Failures by method, name, error.
  std::vector<const Failure*> sorted_failures() const;
  // Exceptions by message.
  std::vector<const ExceptionRecord*> sorted_exceptions() const;

 private:
  StatsEntry& entry_for(std::string_view type, std::string_view name);
  // Lists the entry among those holding samples (once; cleared by reset()).
  StatsEntry& activate(StatsEntry& e) {
    if (!e.listed_) [[unlikely]] {
      e.listed_ = true;
      active_.push_back(&e);
    }
    return e;
  }
  void record_failure(std::string_view type, std::string_view name, std::string_view error,
                      double unix_now);
  // Both record()s: the sample into its entry (one lookup) and the total;
  // returns the entry, for the corrected time.
  StatsEntry& record_sample(std::string_view type, std::string_view name, std::uint64_t response_time_us,
                            std::uint64_t content_bytes, std::string_view error, double unix_now);

  // Unique per table object (never reused), so an entry of another table
  // can remember its row here (StatsEntry::peer_) without a dangling risk.
  static std::uint64_t new_id();
  std::uint64_t id_ = new_id();
  double start_time_ = 0.0;
  std::uint64_t requests_sent_ = 0;
  Iterations iterations_;
  StatsEntry total_{"", "Aggregated"};
  detail::KeyedMap<2, StatsEntry> entries_;    // (type, name)
  std::vector<StatsEntry*> active_;            // entries of entries_ with samples since the last reset
  detail::KeyedMap<3, Failure> failures_;      // (method, name, error)
  detail::KeyedMap<1, ExceptionRecord> exceptions_;  // (message)
};

}  // namespace loadhost::stats
