// StatsEntry: the statistics of one (type, name) pair, Locust's StatsEntry.
//
// Times are microseconds (the histogram's unit); the report writers convert
// to Locust's milliseconds. Timestamps are unix seconds as doubles; 0 means
// "no request yet".
//
// Why a 20-second ring of per-second counts instead of Locust's unbounded
// {second: count} dicts: the current rate only ever reads the last 12
// seconds, and a fixed ring keeps record() allocation-free. Rings merge
// slot-wise (same second: add; newer second wins), so merging shards is exact
// for the newest 20 seconds, which is all a rate ever looks at.
//
// Response times from the intended start (docs/workload-models.md): where a
// request had an intended start (an open-model iteration, a paced closed
// user), the entry keeps a second histogram of the time from that start to
// the response — wrk2's latency corrected for coordinated omission. The
// first histogram (service time) is unchanged. The second one is allocated
// on its first sample, so the many names that never see one cost a pointer.
//
// Thread safety: none; each loop thread owns its entries (via its StatsTable).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "core/stats/histogram.hpp"

namespace loadhost::stats {

// A histogram that exists only once it has a sample: a copyable owner.
class OptionalHistogram {
 public:
  OptionalHistogram() = default;
  OptionalHistogram(const OptionalHistogram& other)
      : histogram_(other.histogram_ ? std::make_unique<LatencyHistogram>(*other.histogram_) : nullptr) {}
  OptionalHistogram& operator=(const OptionalHistogram& other) {
    if (this != &other) *this = OptionalHistogram(other);
    return *this;
  }
  OptionalHistogram(OptionalHistogram&&) noexcept = default;
  OptionalHistogram& operator=(OptionalHistogram&&) noexcept = default;

  void record(std::uint64_t us) { get().record(us); }
  void merge(const OptionalHistogram& other) {
    if (other.histogram_ && !other.histogram_->empty()) get().merge(*other.histogram_);
  }
  void reset() {
    if (histogram_) histogram_->reset();
  }
  // Allocates on first use.
  LatencyHistogram& get() {
    if (!histogram_) histogram_ = std::make_unique<LatencyHistogram>();
    return *histogram_;
  }
  // nullptr while nothing was recorded.
  const LatencyHistogram* get_if() const {
    return histogram_ && !histogram_->empty() ? histogram_.get() : nullptr;
  }

 private:
  std::unique_ptr<LatencyHistogram> histogram_;
};

class StatsEntry {
 public:
  static constexpr int kRateRingSeconds = 20;

  StatsEntry() = default;
  StatsEntry(std::string type, std::string name);

  // One finished request. A failed request is also a request (Locust logs
  // both), so its response time and bytes count too. O(1), no allocation
  // after the entry's first request.
  void record(std::uint64_t response_time_us, std::uint64_t content_bytes, bool failed,
              double unix_now);
  // The same request's response time from its intended start (>= the
  // service time), into the corrected histogram; recorded beside record().
  void record_corrected(std::uint64_t response_time_us) { corrected_.record(response_time_us); }

  // Adds another entry's samples (its type and name are ignored). Exact.
  void merge(const StatsEntry& other);

  // Clears the samples, keeps type, name and the histogram's memory.
  void reset();

  // The wire form (a worker's report), both ways: what an entry holds
  // besides its histogram, and its per-second counts.
  struct Counts {
    std::uint64_t num_failures = 0;
    std::uint64_t content_bytes = 0;
    double first_request_time = 0.0;  // 0: none
    double last_request_time = 0.0;
  };
  // Adds samples that arrived as a histogram and counts. Exact. Takes the
  // histogram (move it in): an entry that holds no samples yet adopts its
  // buckets instead of adding them (a master reads each report into fresh
  // entries first).
  void merge_counts(LatencyHistogram histogram, const Counts& counts);
  // Adds one second's counts to the rate ring (slot-wise, as merge()).
  void merge_second(std::int64_t second, std::uint64_t requests, std::uint64_t failures);
  // Visits the seconds still in the ring: (second, requests, failures).
  template <typename Visit>
  void for_each_second(Visit visit) const {
    for (const SecondCounts& s : per_second_)
      if (s.tag_ && (s.requests_ || s.failures_))
        visit(s.second(), std::uint64_t{s.requests_}, std::uint64_t{s.failures_});
  }

  const std::string& type() const { return type_; }
  const std::string& name() const { return name_; }
  std::uint64_t num_requests() const { return histogram_.count(); }
  std::uint64_t num_failures() const { return num_failures_; }
  std::uint64_t total_response_time_us() const { return histogram_.sum(); }
  std::uint64_t min_response_time_us() const { return histogram_.min(); }
  std::uint64_t max_response_time_us() const { return histogram_.max(); }
  std::uint64_t total_content_length() const { return total_content_length_; }
  double first_request_time() const { return first_request_time_; }
  double last_request_time() const { return last_request_time_; }
  const LatencyHistogram& histogram() const { return histogram_; }
  // Response times from the intended start; nullptr when no request of the
  // entry had one.
  const LatencyHistogram* corrected_histogram() const { return corrected_.get_if(); }
  // For a master reading a worker's report.
  LatencyHistogram& mutable_corrected_histogram() { return corrected_.get(); }

  // Failures per request; 1 when there are failures but no requests, as Locust.
  double fail_ratio() const;
  double average_response_time() const { return histogram_.mean(); }  // us
  double average_content_size() const;                                 // bytes
  double median_response_time() const { return histogram_.median(); }  // us
  double percentile(double q) const { return histogram_.percentile(q); }  // us

  // Requests (failures) per second over [start_time, end_time]; 0 for an
  // empty span. Locust divides by the whole table's span (its start time and
  // last request), which is what the reports pass; the no-argument form uses
  // this entry's own first and last request.
  double total_rps(double start_time, double end_time) const;
  double total_fail_per_sec(double start_time, double end_time) const;
  double total_rps() const { return total_rps(first_request_time_, last_request_time_); }

  // Locust's current rate: the mean count of the 10 whole seconds
  // [now-12, now-3], i.e. skipping the current second and the two before it,
  // which may still be incomplete (late samples, worker reports in flight).
  // The window starts no earlier than start_time (a young run averages over
  // fewer seconds). Locust passes the table's last request time as `now`.
  double current_rps(double now, double start_time = 0.0) const;
  double current_fail_per_sec(double now, double start_time = 0.0) const;

 private:
  friend class StatsTable;  // keeps listed_
  // 12 bytes a slot: a stats entry is kept per name, per loop shard and per
  // table, and 100,000 names must fit (see LatencyHistogram's two forms).
  struct SecondCounts {
    std::uint32_t tag_ = 0;  // unix second + 1 of this slot (to 2106); 0 = unused
    std::uint32_t requests_ = 0;
    std::uint32_t failures_ = 0;
    std::int64_t second() const { return std::int64_t{tag_} - 1; }
  };
  template <typename Count>
  double current_rate(double now, double start_time, Count count) const;

  std::string type_;  // Locust's "method": GET, POST, WS...; "" for Aggregated
  std::string name_;
  LatencyHistogram histogram_;  // count, sum, min, max and percentiles
  OptionalHistogram corrected_;  // from the intended start, when there was one
  std::uint64_t num_failures_ = 0;
  std::uint64_t total_content_length_ = 0;  // bytes received
  double first_request_time_ = 0.0;
  double last_request_time_ = 0.0;
  std::array<SecondCounts, kRateRingSeconds> per_second_{};  // slot = second % 20
  bool listed_ = false;  // in its table's list of entries with samples (StatsTable::activate)
  // The row this entry was last merged into, in the table with id
  // peer_table_: a loop's shard merges into the same run table every
  // second, and 100,000 hash lookups a second are most of the merge.
  mutable StatsEntry* peer_ = nullptr;
  mutable std::uint64_t peer_table_ = 0;
};

}  // namespace loadhost::stats
