// The loadhost_histogram key, per entry dict:
//   [count, sum_us, min_us, max_us, [gap, n, gap, n, ...]]
// the non-empty buckets of LatencyHistogram (its fixed log-linear layout,
// kBucketCount buckets) in index order, each index given as the gap from the
// previous one (the first from index 0), so a report of mostly small gaps
// packs into one msgpack byte per number. count, sum, min and max are the
// histogram's own exact figures (microseconds); the bucket counts add up to
// count, and count equals the dict's num_requests. An empty histogram is
// [0, 0, 0, 0, []].
//
// A reader refuses: a gap that is 0 after the first pair (indexes strictly
// increase) or that leads to an index >= kBucketCount, a bucket count of 0,
// counts that do not add up to `count`, min > max, and anything that is not
// a non-negative integer where one belongs.
#include "core/distributed/stats_wire.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cmath>
#include <map>
#include <stdexcept>

namespace loadhost::distributed {

namespace {

using stats::LatencyHistogram;
using stats::StatsEntry;

// Python's round(): ties go to the even neighbour (round(2.5) == 2,
// round(145.0, -1) == 140.0). Locust's keys come from it, so ours must too.
double round_half_even(double x) {
  if (std::fabs(x - std::trunc(x)) == 0.5) return 2.0 * std::round(x / 2.0);
  return std::round(x);
}

// ---- writing ----

// A histogram in loadhost_histogram's layout (the top of this file).
void pack_exact(Packer &p, const LatencyHistogram &h, uint32_t buckets) {
  p.pack_array(5);
  p.pack(h.count());
  p.pack(h.sum());
  p.pack(h.min());
  p.pack(h.max());
  p.pack_array(buckets * 2);
  size_t previous = 0;
  h.for_each_bucket([&](size_t index, uint64_t n) {
    p.pack(uint64_t(index - previous));
    p.pack(n);
    previous = index;
  });
}

void pack_entry(Packer &p, const StatsEntry &e, std::string_view name, std::string_view method) {
  const LatencyHistogram &h = e.histogram();
  // Ordered maps: a report's bytes depend only on its samples (tests diff them).
  std::map<int64_t, uint64_t> rounded;
  uint32_t buckets = 0;
  h.for_each_bucket([&](size_t index, uint64_t n) {
    rounded[locust_rounded_ms(double(LatencyHistogram::bucket_midpoint(index)) / 1000.0)] += n;
    ++buckets;
  });
  std::map<int64_t, uint64_t> requests, failures;
  e.for_each_second([&](int64_t second, uint64_t r, uint64_t f) {
    if (r) requests[second] = r;
    if (f) failures[second] = f;
  });
  // start_time is left out when the entry has no request: Locust's
  // unserialize then keeps its own "now", where a 0 would become the
  // master's start time through extend()'s min() and zero its total rps.
  const bool has_start = e.first_request_time() > 0;
  const LatencyHistogram *corrected = e.corrected_histogram();

  p.pack_map((has_start ? 15 : 14) + (corrected ? 1 : 0));
  pack_str(p, "name");
  pack_str(p, name);
  pack_str(p, "method");
  pack_str(p, method);
  pack_str(p, "last_request_timestamp");
  if (e.last_request_time() > 0) p.pack(e.last_request_time());
  else p.pack_nil();
  if (has_start) {
    pack_str(p, "start_time");
    p.pack(e.first_request_time());
  }
  pack_str(p, "num_requests");
  p.pack(e.num_requests());
  pack_str(p, "num_none_requests");
  p.pack(0);
  pack_str(p, "num_failures");
  p.pack(e.num_failures());
  pack_str(p, "total_response_time");
  p.pack(double(e.total_response_time_us()) / 1000.0);
  pack_str(p, "max_response_time");
  p.pack(double(e.max_response_time_us()) / 1000.0);
  pack_str(p, "min_response_time");
  if (e.num_requests()) p.pack(double(e.min_response_time_us()) / 1000.0);
  else p.pack_nil();
  pack_str(p, "total_content_length");
  p.pack(e.total_content_length());
  pack_str(p, "response_times");
  p.pack(rounded);
  pack_str(p, "num_reqs_per_sec");
  p.pack(requests);
  pack_str(p, "num_fail_per_sec");
  p.pack(failures);

  pack_str(p, kHistogramKey);
  pack_exact(p, h, buckets);
  if (corrected) {
    uint32_t corrected_buckets = 0;
    corrected->for_each_bucket([&](size_t, uint64_t) { ++corrected_buckets; });
    pack_str(p, kCorrectedHistogramKey);
    pack_exact(p, *corrected, corrected_buckets);
  }
}

// ---- reading ----
//
// The readers throw Malformed with the reason; merge_stats_report catches it
// at the top, before anything reached the caller's table.

struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void malformed(std::string what) { throw Malformed(what); }

// Times beyond this are garbage, not latencies (285 years), and would
// overflow microseconds.
constexpr double kMaxWireUs = double(uint64_t{1} << 53);

uint64_t read_count(const msgpack::object *v, std::string_view what) {
  std::optional<int64_t> n = as_int(v);
  if (!n || *n < 0) malformed(fmt::format("'{}' is not a count", what));
  return uint64_t(*n);
}

// A unix timestamp; nil or missing is 0 ("none").
double read_timestamp(const msgpack::object *v, std::string_view what) {
  if (!v || v->type == msgpack::type::NIL) return 0.0;
  std::optional<double> t = as_number(v);
  if (!t || *t < 0) malformed(fmt::format("'{}' is not a timestamp", what));
  return *t;
}

// Locust milliseconds (int or float) to our microseconds.
uint64_t read_ms_as_us(const msgpack::object *v, std::string_view what) {
  std::optional<double> ms = as_number(v);
  if (!ms || *ms < 0 || *ms * 1000.0 > kMaxWireUs) malformed(fmt::format("'{}' is not a time in ms", what));
  return uint64_t(std::llround(*ms * 1000.0));
}

const msgpack::object &need(const msgpack::object &map, std::string_view key) {
  const msgpack::object *v = map_find(map, key);
  if (!v) malformed(fmt::format("no '{}'", key));
  return *v;
}

// A name or method; Python's None reads as "".
std::string_view need_text(const msgpack::object &map, std::string_view key) {
  const msgpack::object &v = need(map, key);
  if (v.type == msgpack::type::NIL) return {};
  std::optional<std::string_view> s = as_string(&v);
  if (!s) malformed(fmt::format("'{}' is not a string", key));
  return *s;
}

void add_checked(uint64_t &total, uint64_t n, std::string_view what) {
  if (total + n < total) malformed(fmt::format("'{}' overflows", what));
  total += n;
}

// The exact histogram of a loadhost worker (layout at the top).
LatencyHistogram read_exact(const msgpack::object &v) {
  if (v.type != msgpack::type::ARRAY || v.via.array.size != 5)
    malformed("loadhost_histogram is not [count, sum, min, max, buckets]");
  const msgpack::object *a = v.via.array.ptr;
  const uint64_t count = read_count(&a[0], "histogram count");
  const uint64_t sum = read_count(&a[1], "histogram sum");
  const uint64_t min = read_count(&a[2], "histogram min");
  const uint64_t max = read_count(&a[3], "histogram max");
  const msgpack::object &b = a[4];
  if (b.type != msgpack::type::ARRAY || b.via.array.size % 2)
    malformed("loadhost_histogram buckets are not (gap, count) pairs");
  LatencyHistogram h;
  uint64_t index = 0, seen = 0;
  for (uint32_t i = 0; i < b.via.array.size; i += 2) {
    const uint64_t gap = read_count(&b.via.array.ptr[i], "bucket gap");
    const uint64_t n = read_count(&b.via.array.ptr[i + 1], "bucket count");
    if ((i > 0 && gap == 0) || gap >= LatencyHistogram::kBucketCount ||
        index + gap >= LatencyHistogram::kBucketCount)
      malformed("loadhost_histogram has a bucket outside the layout");
    index += gap;
    if (n == 0) malformed("loadhost_histogram has an empty bucket");
    add_checked(seen, n, "histogram buckets");
    h.add_to_bucket(size_t(index), n);
  }
  if (seen != count)
    malformed(fmt::format("loadhost_histogram buckets hold {} samples, its count says {}", seen, count));
  if (count && min > max) malformed("loadhost_histogram min is above max");
  h.set_summary(count, sum, min, max);
  return h;
}

// The samples Locust's rounded response_times hold; `into` gets them when
// given (a Locust worker's entry), else they are only checked.
uint64_t read_rounded(const msgpack::object &entry, LatencyHistogram *into) {
  const msgpack::object &rt = need(entry, "response_times");
  if (rt.type != msgpack::type::MAP) malformed("'response_times' is not a map");
  uint64_t count = 0;
  for (uint32_t i = 0; i < rt.via.map.size; ++i) {
    // Keys are ints, or floats (round(147.3, -1) == 150.0) from a Python worker.
    const uint64_t us = read_ms_as_us(&rt.via.map.ptr[i].key, "response_times key");
    const uint64_t n = read_count(&rt.via.map.ptr[i].val, "response_times count");
    add_checked(count, n, "response_times");
    if (into) into->record_n(us, n);
  }
  return count;
}

// Locust's own summary of an entry, in microseconds; each figure falls back
// to `h`'s when the dict lacks it (min also when it is None).
struct Summary {
  uint64_t sum, min, max;
};
Summary read_summary(const msgpack::object &entry, const LatencyHistogram &h) {
  const msgpack::object *total = map_find(entry, "total_response_time");
  const msgpack::object *min = map_find(entry, "min_response_time");
  const msgpack::object *max = map_find(entry, "max_response_time");
  return {total ? read_ms_as_us(total, "total_response_time") : h.sum(),
          min && min->type != msgpack::type::NIL ? read_ms_as_us(min, "min_response_time") : h.min(),
          max ? read_ms_as_us(max, "max_response_time") : h.max()};
}

// A Locust worker's entry: its rounded response_times, with the dict's own
// count, sum, min and max. Requests without a response time (Locust's
// num_none_requests) count at 0 ms, where Locust's own percentile puts them.
LatencyHistogram read_locust(const msgpack::object &entry, uint64_t num_requests) {
  LatencyHistogram h;
  const uint64_t timed = read_rounded(entry, &h);
  if (timed > num_requests) malformed("'response_times' hold more samples than 'num_requests'");
  h.record_n(0, num_requests - timed);
  const Summary s = read_summary(entry, h);
  if (num_requests && s.min > s.max) malformed("'min_response_time' is above 'max_response_time'");
  h.set_summary(num_requests, s.sum, s.min, s.max);
  return h;
}

void read_seconds(const msgpack::object &entry, std::string_view key, StatsEntry &into, bool failures) {
  const msgpack::object *v = map_find(entry, key);
  if (!v || v->type == msgpack::type::NIL) return;
  if (v->type != msgpack::type::MAP) malformed(fmt::format("'{}' is not a map", key));
  for (uint32_t i = 0; i < v->via.map.size; ++i) {
    std::optional<int64_t> second = as_int(&v->via.map.ptr[i].key);
    if (!second || *second < 0) malformed(fmt::format("a '{}' key is not a second", key));
    const uint64_t n = read_count(&v->via.map.ptr[i].val, key);
    into.merge_second(*second, failures ? 0 : n, failures ? n : 0);
  }
}

void read_entry(const msgpack::object &entry, StatsEntry &into) {
  if (entry.type != msgpack::type::MAP) malformed("an entry is not a map");
  const uint64_t num_requests = read_count(&need(entry, "num_requests"), "num_requests");
  LatencyHistogram h;
  if (const msgpack::object *exact = map_find(entry, kHistogramKey)) {
    h = read_exact(*exact);
    // The other figures must tell the same story as the histogram.
    if (h.count() != num_requests) malformed("loadhost_histogram count differs from 'num_requests'");
    if (read_rounded(entry, nullptr) != num_requests)
      malformed("'response_times' differ from 'num_requests'");
    read_summary(entry, h);  // unused (the histogram's are exact) but must be well-formed
  } else {
    h = read_locust(entry, num_requests);
  }
  if (const msgpack::object *none = map_find(entry, "num_none_requests")) read_count(none, "num_none_requests");
  StatsEntry::Counts counts;
  counts.num_failures = read_count(map_find(entry, "num_failures"), "num_failures");
  counts.content_bytes = read_count(map_find(entry, "total_content_length"), "total_content_length");
  counts.last_request_time = read_timestamp(map_find(entry, "last_request_timestamp"), "last_request_timestamp");
  const double start = read_timestamp(map_find(entry, "start_time"), "start_time");
  // A Locust entry's start_time is its last reset, set even when it saw
  // nothing; only an entry with requests has a first request.
  counts.first_request_time = num_requests ? start : 0.0;
  if (const msgpack::object *corrected = map_find(entry, kCorrectedHistogramKey)) {
    LatencyHistogram c = read_exact(*corrected);
    if (c.count() > num_requests) malformed("loadhost_corrected_histogram holds more samples than 'num_requests'");
    if (c.count()) into.mutable_corrected_histogram().merge(c);
  }
  into.merge_counts(std::move(h), counts);
  read_seconds(entry, "num_reqs_per_sec", into, false);
  read_seconds(entry, "num_fail_per_sec", into, true);
}

void read_report(const msgpack::object &data, stats::StatsTable &report, double unix_now) {
  if (data.type != msgpack::type::MAP) malformed("the report is not a map");
  const msgpack::object &entries = need(data, "stats");
  if (entries.type != msgpack::type::ARRAY) malformed("'stats' is not a list");
  for (uint32_t i = 0; i < entries.via.array.size; ++i) {
    const msgpack::object &e = entries.via.array.ptr[i];
    if (e.type != msgpack::type::MAP) malformed("a 'stats' entry is not a map");
    const std::string_view method = need_text(e, "method");
    const std::string_view name = need_text(e, "name");
    read_entry(e, report.entry(method, name));
  }
  read_entry(need(data, "stats_total"), report.mutable_total());
  const msgpack::object &errors = need(data, "errors");
  if (errors.type != msgpack::type::MAP) malformed("'errors' is not a map");
  for (uint32_t i = 0; i < errors.via.map.size; ++i) {
    // The key is the sender's hash of the row; the row itself says what it is.
    if (errors.via.map.ptr[i].key.type != msgpack::type::STR) malformed("an 'errors' key is not a string");
    const msgpack::object &row = errors.via.map.ptr[i].val;
    if (row.type != msgpack::type::MAP) malformed("an 'errors' row is not a map");
    const std::string_view method = need_text(row, "method");  // read in order: the first fault is named
    const std::string_view name = need_text(row, "name");
    const std::string_view error = need_text(row, "error");
    const uint64_t occurrences = read_count(map_find(row, "occurrences"), "occurrences");
    report.record_failures(method, name, error, occurrences, unix_now);
  }
  if (const msgpack::object *sent = map_find(data, kRequestsSentKey)) {
    std::optional<int64_t> n = as_int(sent);
    if (!n) malformed(fmt::format("'{}' is not a whole number", kRequestsSentKey));
    report.add_sent(uint64_t(*n));  // a negative delta wraps back: sums stay exact
  }
  if (const msgpack::object *it = map_find(data, kIterationsKey)) {
    if (it->type != msgpack::type::ARRAY || it->via.array.size != 2)
      malformed(fmt::format("'{}' is not [started, dropped]", kIterationsKey));
    report.count_iterations(read_count(&it->via.array.ptr[0], "iterations started"),
                            read_count(&it->via.array.ptr[1], "iterations dropped"));
  }
}

}  // namespace

int64_t locust_rounded_ms(double ms) {
  if (!(ms < 1e15)) return ms > 0 ? int64_t(1e15) : 0;  // NaN or absurd: keep the cast defined
  if (ms < 100) return int64_t(round_half_even(ms));
  const double unit = ms < 1000 ? 10 : ms < 10000 ? 100 : 1000;
  return int64_t(round_half_even(ms / unit) * unit);
}

void pack_stats_report(Packer &p, const stats::StatsTable &delta) {
  std::vector<const StatsEntry *> entries;
  for (const StatsEntry *e : delta.sorted_entries())
    if (e->num_requests() || e->num_failures()) entries.push_back(e);  // as Locust's serialize_stats
  pack_str(p, "stats");
  p.pack_array(uint32_t(entries.size()));
  for (const StatsEntry *e : entries) pack_entry(p, *e, e->name(), e->type());
  pack_str(p, "stats_total");
  pack_entry(p, delta.total(), "Aggregated", "");
  const auto failures = delta.sorted_failures();
  pack_str(p, "errors");
  p.pack_map(uint32_t(failures.size()));
  for (const stats::Failure *f : failures) {
    pack_str(p, locust_error_key(f->method_, f->name_, f->error_));
    p.pack_map(4);
    pack_str(p, "name");
    pack_str(p, f->name_);
    pack_str(p, "method");
    pack_str(p, f->method_);
    pack_str(p, "error");
    pack_str(p, f->error_);
    pack_str(p, "occurrences");
    p.pack(f->occurrences_);
  }
  pack_str(p, kRequestsSentKey);
  p.pack(int64_t(delta.requests_sent()));  // signed: a delta may take back (stats_table.hpp)
  pack_str(p, kIterationsKey);
  p.pack_array(2);
  p.pack(delta.iterations().started);
  p.pack(delta.iterations().dropped);
}

std::string merge_stats_report(const msgpack::object &data, stats::StatsTable &into, double unix_now) {
  // Everything goes into a table of its own first, so a report that turns
  // out malformed halfway merges nothing.
  stats::StatsTable report;
  try {
    read_report(data, report, unix_now);
  } catch (const Malformed &e) {
    return e.what();
  } catch (const std::exception &e) {  // e.g. bad_alloc: still one line, never a throw
    return fmt::format("unreadable report: {}", e.what());
  }
  into.merge(report);
  return "";
}

std::string locust_error_key(std::string_view method, std::string_view name, std::string_view error) {
  const std::string text = fmt::format("{}.{}.{}", method, name, error);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace loadhost::distributed
