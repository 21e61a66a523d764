// Stats on the wire: a worker's `stats` report in Locust's shapes, and its
// merge on the master.
//
// A report carries what the worker recorded since its previous report (a
// delta, as Locust's get_stripped_report), in Locust 2.12's keys:
//   "stats":       [entry dict...]  entries with no request and no failure are left out
//   "stats_total": entry dict       the Aggregated row
//   "errors":      {key: {"name", "method", "error", "occurrences"}}
// where an entry dict has Locust's StatsEntryDict keys (name, method,
// last_request_timestamp, start_time, num_requests, num_none_requests,
// num_failures, total_response_time, max_response_time, min_response_time,
// total_content_length, response_times, num_reqs_per_sec, num_fail_per_sec)
// with Locust's units (milliseconds; response_times keyed by Locust's rounded
// milliseconds), so a Locust master merges a loadhost worker's report.
// start_time is the entry's first request (left out when it has none: a 0
// would become a Locust master's start time); last_request_timestamp and
// min_response_time are nil when there is no request.
//
// loadhost adds one key to the report, "loadhost_requests_sent": the calls
// the worker handed to its plugins since its previous report (a signed
// delta: a scenario's cancel takes one back), so the master's requests_sent
// covers every worker. Locust ignores it; a Locust worker's report has none.
//
// loadhost adds one key per entry dict, "loadhost_histogram", which Locust
// ignores: the exact histogram (see stats_wire.cpp for its layout). A
// loadhost master merges it bucket-wise, so a distributed run's percentiles
// equal a single run's on the same samples. Entries without it (a Locust
// worker's) are rebuilt from Locust's rounded response_times.
//
// Two more for the corrected latency and the open model
// (docs/workload-models.md), both ignored by Locust: per entry dict,
// "loadhost_corrected_histogram" (the response times from the intended
// start, in loadhost_histogram's layout; only in entries that have one),
// and per report "loadhost_iterations": [started, dropped] since the
// previous report.
//
// Thread: none shared; the master merges on its control thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/distributed/message.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::distributed {

// The extra keys, so the master and the tests name them one way.
inline constexpr std::string_view kHistogramKey = "loadhost_histogram";
inline constexpr std::string_view kRequestsSentKey = "loadhost_requests_sent";
inline constexpr std::string_view kCorrectedHistogramKey = "loadhost_corrected_histogram";
inline constexpr std::string_view kIterationsKey = "loadhost_iterations";

// Writes the pairs "stats", "stats_total", "errors",
// "loadhost_requests_sent" and "loadhost_iterations" into a map the caller
// has opened (counting kStatsReportPairs pairs for them).
inline constexpr uint32_t kStatsReportPairs = 5;
void pack_stats_report(Packer &p, const stats::StatsTable &delta);

// Merges a report's "stats", "stats_total", "errors" and, when present,
// "loadhost_requests_sent", "loadhost_iterations" and the entries'
// "loadhost_corrected_histogram" into `into`.
// Returns "" or one line saying what is malformed; a malformed report merges
// nothing. Unknown keys are ignored.
std::string merge_stats_report(const msgpack::object &data, stats::StatsTable &into,
                               double unix_now);

// Locust's _log_response_time key for a time in milliseconds: < 100 to the
// integer, < 1000 to 10, < 10000 to 100, else to 1000, ties to even as
// Python's round(). A loadhost worker keys each bucket by its midpoint.
int64_t locust_rounded_ms(double ms);

// The key of an "errors" row: sha256 hex of "<method>.<name>.<error>", the
// shape of Locust's own key, so rows with the same failure from several
// loadhost workers land in one row on a Locust master. (Locust itself hashes
// the Python repr of its error text, f"{method}.{name}.{error!r}", so a
// Locust worker's row for the same text gets another key; a loadhost master
// merges rows by (method, name, error), never by key.)
std::string locust_error_key(std::string_view method, std::string_view name,
                             std::string_view error);

}  // namespace loadhost::distributed
