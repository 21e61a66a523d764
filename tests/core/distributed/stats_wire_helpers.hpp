// What the stats-wire tests share: a report as the worker sends it (a real
// encoded "stats" message), its merge as the master does it, reproducible
// samples, and comparisons of tables.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/distributed/message.hpp"
#include "core/distributed/stats_wire.hpp"
#include "core/stats/percentiles.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::distributed::test_support {

inline constexpr double kNow = 1'700'000'000.0;

// The whole "stats" message a worker sends: the stats pairs plus the two
// the worker adds itself.
inline std::string report_message(const stats::StatsTable &delta, const std::string &node = "w") {
  return encode_message("stats", node, [&](Packer &p) {
    p.pack_map(kStatsReportPairs + 2);
    pack_stats_report(p, delta);
    pack_str(p, "user_classes_count");
    p.pack_map(0);
    pack_str(p, "user_count");
    p.pack(0);
  });
}

// Decodes and merges as the master; "" or the reason it refused.
inline std::string decode_and_merge(const std::string &bytes, stats::StatsTable &into) {
  std::string error;
  auto msg = decode_message(bytes, &error);
  if (!msg) return "decode: " + error;
  if (msg->type != "stats") return "type " + msg->type;
  return merge_stats_report(msg->data(), into, kNow);
}

struct Sample {
  int name;  // index into the names below
  uint64_t us;
  bool failed;
  double at;
};

// Latencies over several magnitudes: lognormal around ~1 ms with tails into
// seconds, every 50th pushed past 3000 s (past the histogram's trackable
// range, so the clamp bucket and exact max travel too); ~1% failures; five
// names; 10000 samples a second from kNow.
inline std::vector<Sample> samples(size_t n, uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> latency(7.0, 1.6);
  std::vector<Sample> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int name = int(rng() % 5);
    uint64_t us = uint64_t(latency(rng));
    if (rng() % 50 == 0) us += 3'000'000'000ull;
    out.push_back({name, us, rng() % 97 == 0, kNow + double(i) / 10000.0});
  }
  return out;
}

inline void record(stats::StatsTable &t, const Sample &s) {
  static const std::array<std::string, 5> names{"/a", "/b", "/c?x", "/d", "/e"};
  t.record(s.name % 2 ? "GET" : "POST", names[size_t(s.name)], s.us, 100 + uint64_t(s.name) * 7,
           s.failed ? (s.name == 3 ? "HTTP 503" : "HTTP 500") : "", s.at);
}

inline void expect_same(const stats::StatsEntry &a, const stats::StatsEntry &b, const std::string &what) {
  EXPECT_EQ(a.num_requests(), b.num_requests()) << what;
  EXPECT_EQ(a.num_failures(), b.num_failures()) << what;
  EXPECT_EQ(a.total_response_time_us(), b.total_response_time_us()) << what;
  EXPECT_EQ(a.min_response_time_us(), b.min_response_time_us()) << what;
  EXPECT_EQ(a.max_response_time_us(), b.max_response_time_us()) << what;
  EXPECT_EQ(a.total_content_length(), b.total_content_length()) << what;
  EXPECT_EQ(a.first_request_time(), b.first_request_time()) << what;
  EXPECT_EQ(a.last_request_time(), b.last_request_time()) << what;
  EXPECT_EQ(a.median_response_time(), b.median_response_time()) << what;
  for (double q : stats::kPercentilesToReport) EXPECT_EQ(a.percentile(q), b.percentile(q)) << what << " q=" << q;
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.333}) EXPECT_EQ(a.percentile(q), b.percentile(q)) << what << " q=" << q;
}

// Everything a merge could change, to prove a refused report changed nothing.
using Fingerprint = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, size_t, size_t, uint64_t, double>;
inline Fingerprint fingerprint(const stats::StatsTable &t) {
  uint64_t entry_requests = 0, occurrences = 0;
  for (const stats::StatsEntry *e : t.sorted_entries()) entry_requests += e->num_requests();
  for (const stats::Failure *f : t.sorted_failures()) occurrences += f->occurrences_;
  return {t.total().num_requests(), t.total().total_response_time_us(), t.total().num_failures(),
          t.total().total_content_length(), entry_requests, t.entry_count(), t.sorted_failures().size(),
          occurrences, t.total().current_rps(kNow + 15)};
}

}  // namespace loadhost::distributed::test_support
