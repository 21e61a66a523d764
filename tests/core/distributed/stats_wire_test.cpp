// Stats reports on the wire between loadhost processes: exact (a distributed
// run's figures and percentiles equal one process's on the same samples),
// Locust's shapes and rounding, and garbage refused whole with a reason.
#include "core/distributed/stats_wire.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <random>

#include "stats_wire_helpers.hpp"

namespace {

using namespace loadhost;
using namespace loadhost::distributed;
using namespace loadhost::distributed::test_support;

void expect_tables_equal(const stats::StatsTable &single, const stats::StatsTable &master) {
  expect_same(single.total(), master.total(), "Aggregated");
  ASSERT_EQ(single.entry_count(), master.entry_count());
  for (const stats::StatsEntry *e : single.sorted_entries()) {
    const stats::StatsEntry *m = master.find(e->type(), e->name());
    ASSERT_NE(m, nullptr) << e->name();
    expect_same(*e, *m, e->type() + " " + e->name());
  }
  auto f1 = single.sorted_failures(), f2 = master.sorted_failures();
  ASSERT_EQ(f1.size(), f2.size());
  for (size_t i = 0; i < f1.size(); ++i) {
    EXPECT_EQ(f1[i]->method_, f2[i]->method_);
    EXPECT_EQ(f1[i]->name_, f2[i]->name_);
    EXPECT_EQ(f1[i]->error_, f2[i]->error_);
    EXPECT_EQ(f1[i]->occurrences_, f2[i]->occurrences_);
  }
  // The per-second counts travel too: the current rate is the same.
  for (double at : {kNow + 5, kNow + 12, kNow + 20})
    EXPECT_EQ(single.total().current_rps(at), master.total().current_rps(at)) << at;
}

// 200k samples in one table, and the same samples split over 4 workers that
// each send one report at the end: every figure and percentile is equal.
TEST(StatsWire, FourWorkersOneReportEachEqualOneProcess) {
  auto all = samples(200'000);
  stats::StatsTable single;
  for (auto &s : all) record(single, s);

  std::array<stats::StatsTable, 4> workers;
  for (size_t i = 0; i < all.size(); ++i) record(workers[i % 4], all[i]);
  stats::StatsTable master;
  for (auto &w : workers) ASSERT_EQ(decode_and_merge(report_message(w), master), "");
  expect_tables_equal(single, master);
}

// The same, but each worker reports a delta every 10000 of its samples and
// starts over (the worker resets after each report), as a real run.
TEST(StatsWire, FourWorkersReportingDeltasEqualOneProcess) {
  auto all = samples(200'000, 7);
  stats::StatsTable single;
  for (auto &s : all) record(single, s);

  stats::StatsTable master;
  std::array<stats::StatsTable, 4> workers;
  std::array<size_t, 4> since_report{};
  int reports = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const size_t w = (i * 2654435761u >> 7) % 4;  // uneven, interleaved shares
    record(workers[w], all[i]);
    if (++since_report[w] == 10'000) {
      ASSERT_EQ(decode_and_merge(report_message(workers[w]), master), "");
      workers[w].reset();
      since_report[w] = 0;
      ++reports;
    }
  }
  for (auto &w : workers) ASSERT_EQ(decode_and_merge(report_message(w), master), "");
  EXPECT_GE(reports, 16);
  expect_tables_equal(single, master);
}

// Each worker's sent calls reach the master, a delta that takes one back
// (a scenario's cancel after the previous report) included.
TEST(StatsWire, RequestsSentAddUpOnTheMaster) {
  stats::StatsTable first, second, taking_back;
  for (int i = 0; i < 5; ++i) first.count_sent();
  for (int i = 0; i < 3; ++i) second.count_sent();
  taking_back.withdraw_sent();
  stats::StatsTable master;
  for (auto *w : {&first, &second, &taking_back}) ASSERT_EQ(decode_and_merge(report_message(*w), master), "");
  EXPECT_EQ(master.requests_sent(), 7u);
}

TEST(StatsWire, EmptyEntriesAreLeftOutAsLocust) {
  stats::StatsTable t;
  t.record("GET", "/x", 1000, 1, "", kNow);
  t.reset();  // keeps the row, zeroed
  t.record("GET", "/y", 1000, 1, "", kNow);
  stats::StatsTable master;
  ASSERT_EQ(decode_and_merge(report_message(t), master), "");
  EXPECT_EQ(master.find("GET", "/x"), nullptr);
  ASSERT_NE(master.find("GET", "/y"), nullptr);
}

// A worker with nothing to say still sends a well-formed report, and its
// Aggregated row has no start_time (a 0 would reset a Locust master's).
TEST(StatsWire, AnEmptyReportIsWellFormed) {
  stats::StatsTable empty;
  std::string bytes = report_message(empty);
  auto msg = decode_message(bytes, nullptr);
  ASSERT_TRUE(msg);
  const msgpack::object *total = map_find(msg->data(), "stats_total");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(map_find(*total, "start_time"), nullptr);
  EXPECT_EQ(map_find(*total, "min_response_time")->type, msgpack::type::NIL);
  EXPECT_EQ(map_find(*total, "last_request_timestamp")->type, msgpack::type::NIL);
  stats::StatsTable master;
  master.record("GET", "/", 5, 1, "", kNow);
  auto before = fingerprint(master);
  EXPECT_EQ(merge_stats_report(msg->data(), master, kNow), "");
  EXPECT_EQ(fingerprint(master), before);
}

TEST(StatsWire, ResponseTimesAreKeyedAsLocustRoundsThem) {
  // Python: round(2.5) == 2, round(145.0, -1) == 140.0, round(1550.0, -2) == 1600.0 ...
  EXPECT_EQ(locust_rounded_ms(0.4), 0);
  EXPECT_EQ(locust_rounded_ms(2.5), 2);
  EXPECT_EQ(locust_rounded_ms(3.5), 4);
  EXPECT_EQ(locust_rounded_ms(99.4), 99);
  EXPECT_EQ(locust_rounded_ms(99.6), 100);
  EXPECT_EQ(locust_rounded_ms(145.0), 140);
  EXPECT_EQ(locust_rounded_ms(147.3), 150);
  EXPECT_EQ(locust_rounded_ms(155.0), 160);
  EXPECT_EQ(locust_rounded_ms(999.0), 1000);
  EXPECT_EQ(locust_rounded_ms(1450.0), 1400);
  EXPECT_EQ(locust_rounded_ms(3432.0), 3400);
  EXPECT_EQ(locust_rounded_ms(9949.0), 9900);
  EXPECT_EQ(locust_rounded_ms(12500.0), 12000);
  EXPECT_EQ(locust_rounded_ms(13500.0), 14000);
  EXPECT_EQ(locust_rounded_ms(58760.0), 59000);

  stats::StatsTable t;
  for (uint64_t us : {147'300u, 147'300u, 2'500u, 58'760'000u}) t.record("GET", "/", us, 0, "", kNow);
  auto msg = decode_message(report_message(t), nullptr);
  const msgpack::object *rt = map_find(*map_find(msg->data(), "stats_total"), "response_times");
  ASSERT_EQ(rt->type, msgpack::type::MAP);
  std::map<int64_t, int64_t> keys;
  for (uint32_t i = 0; i < rt->via.map.size; ++i) {
    ASSERT_EQ(rt->via.map.ptr[i].key.type, msgpack::type::POSITIVE_INTEGER);  // ints on the wire
    keys[*as_int(&rt->via.map.ptr[i].key)] = *as_int(&rt->via.map.ptr[i].val);
  }
  // Keys come from bucket midpoints: 2.5 ms is in [2.496, 2.511] ms, midpoint
  // 2.503 ms, so 3; 147.3 ms's is 147.2 ms, so 150.
  EXPECT_EQ(keys, (std::map<int64_t, int64_t>{{3, 1}, {150, 2}, {59000, 1}}));
}

TEST(StatsWire, ErrorKeyIsSha256OfMethodNameError) {
  // printf 'GET./x.HTTP 500' | sha256sum
  EXPECT_EQ(locust_error_key("GET", "/x", "HTTP 500"),
            "32104cfc9a49e8bd8fa6a7487ba43bd29b1b7b832b5d00ad832e82fdafa2bfef");
  EXPECT_NE(locust_error_key("GET", "/x", "a"), locust_error_key("GET", "/x.a", ""));
}

// ---- a Locust worker's entries, by hand ----

// An entry as a Python worker writes it: float keys, int and float times,
// None for an absent minimum, requests without a response time.
void pack_locust_entry(Packer &p, std::string_view name, int none_requests) {
  p.pack_map(14);
  pack_str(p, "name");
  pack_str(p, name);
  pack_str(p, "method");
  pack_str(p, "GET");
  pack_str(p, "last_request_timestamp");
  p.pack(kNow + 1.5);
  pack_str(p, "start_time");
  p.pack(kNow - 2.0);  // Locust's: the entry's last reset, not its first request
  pack_str(p, "num_requests");
  p.pack(4 + none_requests);
  pack_str(p, "num_none_requests");
  p.pack(none_requests);
  pack_str(p, "num_failures");
  p.pack(1);
  pack_str(p, "total_response_time");
  p.pack(5 + 147.25 + 151.0 + 3432.5);
  pack_str(p, "max_response_time");
  p.pack(3432.5);
  pack_str(p, "min_response_time");
  p.pack(5);
  pack_str(p, "total_content_length");
  p.pack(400);
  pack_str(p, "response_times");
  p.pack_map(3);
  p.pack(5);
  p.pack(1);
  p.pack(150.0);
  p.pack(2);
  p.pack(3400.0);
  p.pack(1);
  pack_str(p, "num_reqs_per_sec");
  p.pack_map(1);
  p.pack(int64_t(kNow));
  p.pack(4 + none_requests);
  pack_str(p, "num_fail_per_sec");
  p.pack_map(1);
  p.pack(int64_t(kNow));
  p.pack(1);
}

std::string locust_report(int none_requests) {
  return encode_message("stats", "lw", [&](Packer &p) {
    p.pack_map(3);
    pack_str(p, "stats");
    p.pack_array(1);
    pack_locust_entry(p, "/l", none_requests);
    pack_str(p, "stats_total");
    pack_locust_entry(p, "Aggregated", none_requests);
    pack_str(p, "errors");
    p.pack_map(1);
    pack_str(p, "some-key");
    p.pack_map(4);
    pack_str(p, "name");
    pack_str(p, "/l");
    pack_str(p, "method");
    pack_str(p, "GET");
    pack_str(p, "error");
    pack_str(p, "HTTPError('500 Server Error')");
    pack_str(p, "occurrences");
    p.pack(1);
  });
}

TEST(StatsWire, ALocustEntryIsRebuiltFromItsRoundedTimesAndOwnFigures) {
  stats::StatsTable master;
  ASSERT_EQ(decode_and_merge(locust_report(0), master), "");
  const stats::StatsEntry *e = master.find("GET", "/l");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->num_requests(), 4u);
  EXPECT_EQ(e->num_failures(), 1u);
  EXPECT_EQ(e->total_response_time_us(), 3'735'750u);
  EXPECT_EQ(e->min_response_time_us(), 5'000u);
  EXPECT_EQ(e->max_response_time_us(), 3'432'500u);
  EXPECT_EQ(e->total_content_length(), 400u);
  EXPECT_EQ(e->first_request_time(), kNow - 2.0);
  EXPECT_EQ(e->last_request_time(), kNow + 1.5);
  EXPECT_EQ(e->percentile(0.0), 5'000.0);
  EXPECT_EQ(e->percentile(0.25), 150'015.5);  // the 150 ms key's bucket [149.504, 150.527] ms, its midpoint
  EXPECT_EQ(e->percentile(0.5), 150'015.5);
  EXPECT_EQ(e->percentile(1.0), 3'432'500.0);  // the top rank is the exact max
  EXPECT_EQ(master.total().num_requests(), 4u);
  ASSERT_EQ(master.sorted_failures().size(), 1u);
  EXPECT_EQ(master.sorted_failures()[0]->error_, "HTTPError('500 Server Error')");
  EXPECT_EQ(master.total().current_rps(kNow + 5), 4.0 / 10);
}

TEST(StatsWire, ALocustEntrysRequestsWithoutATimeCountAtTheBottom) {
  stats::StatsTable master;
  ASSERT_EQ(decode_and_merge(locust_report(2), master), "");
  const stats::StatsEntry *e = master.find("GET", "/l");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->num_requests(), 6u);
  EXPECT_EQ(e->min_response_time_us(), 5'000u);  // the dict's own minimum
  EXPECT_EQ(e->percentile(0.0), 5'000.0);         // clamped to it
  EXPECT_EQ(e->percentile(1.0), 3'432'500.0);
}

// ---- garbage ----

// An entry with a well-formed shape around a histogram the test writes.
void pack_entry_with(Packer &p, const std::function<void(Packer &)> &histogram, int num_requests = 1) {
  p.pack_map(7);
  pack_str(p, "name");
  pack_str(p, "/x");
  pack_str(p, "method");
  pack_str(p, "GET");
  pack_str(p, "num_requests");
  p.pack(num_requests);
  pack_str(p, "num_failures");
  p.pack(0);
  pack_str(p, "total_content_length");
  p.pack(0);
  pack_str(p, "response_times");
  p.pack_map(1);
  p.pack(0);
  p.pack(num_requests);
  pack_str(p, kHistogramKey);
  histogram(p);
}

std::string report_with_histogram(const std::function<void(Packer &)> &histogram, int num_requests = 1) {
  return encode_message("stats", "w", [&](Packer &p) {
    p.pack_map(3);
    pack_str(p, "stats");
    p.pack_array(1);
    pack_entry_with(p, histogram, num_requests);
    pack_str(p, "stats_total");
    pack_entry_with(p, histogram, num_requests);
    pack_str(p, "errors");
    p.pack_map(0);
  });
}

std::string with_data(const std::function<void(Packer &)> &data) { return encode_message("stats", "w", data); }

stats::StatsTable master_with_something() {
  stats::StatsTable master;
  master.record("GET", "/before", 10, 1, "oops", kNow);
  return master;
}

TEST(StatsWire, AWellFormedHandWrittenHistogramMerges) {
  // The control for the cases below: they fail for their own fault.
  stats::StatsTable master;
  ASSERT_EQ(decode_and_merge(report_with_histogram([](Packer &p) {
              p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
              p.pack_array(2); p.pack(5); p.pack(1);
            }), master),
            "");
  EXPECT_EQ(master.total().num_requests(), 1u);
  EXPECT_EQ(master.find("GET", "/x")->max_response_time_us(), 5u);
}

TEST(StatsWire, MalformedReportsMergeNothingAndSayWhy) {
  const uint64_t huge = uint64_t(1) << 40;
  const uint64_t past_layout = stats::LatencyHistogram::kBucketCount;
  std::vector<std::pair<std::string, std::string>> bad = {
      {with_data([](Packer &p) { p.pack(5); }), "not a map"},
      {with_data([](Packer &p) { p.pack_array(0); }), "not a map"},
      {with_data([](Packer &p) { p.pack_nil(); }), "not a map"},
      {with_data([](Packer &p) { p.pack_map(0); }), "no 'stats'"},
      {with_data([](Packer &p) { p.pack_map(1); pack_str(p, "stats"); p.pack(1); }), "'stats' is not a list"},
      {with_data([](Packer &p) { p.pack_map(1); pack_str(p, "stats"); p.pack_array(1); p.pack(1); }), "not a map"},
      {with_data([](Packer &p) { p.pack_map(1); pack_str(p, "stats"); p.pack_array(0); }), "no 'stats_total'"},
      {report_with_histogram([](Packer &p) { p.pack(1); }), "not [count"},
      {report_with_histogram([](Packer &p) { p.pack_array(4); p.pack(1); p.pack(5); p.pack(5); p.pack(5); }), "not [count"},
      {report_with_histogram([&](Packer &p) {
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(huge); p.pack(1);
       }), "outside the layout"},
      {report_with_histogram([&](Packer &p) {
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(past_layout); p.pack(1);
       }), "outside the layout"},
      {report_with_histogram([&](Packer &p) {  // each gap fits, their sum does not
         p.pack_array(5); p.pack(2); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(4); p.pack(past_layout - 1); p.pack(1); p.pack(1); p.pack(1);
       }, 2), "outside the layout"},
      {report_with_histogram([](Packer &p) {  // the same index twice
         p.pack_array(5); p.pack(2); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(4); p.pack(5); p.pack(1); p.pack(0); p.pack(1);
       }, 2), "outside the layout"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(5); p.pack(0);
       }), "empty bucket"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(3); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(5); p.pack(1);
       }, 3), "hold 1 samples, its count says 3"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(3); p.pack(5); p.pack(1); p.pack(1);
       }), "pairs"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(-1); p.pack(5); p.pack(5); p.pack(5); p.pack_array(0);
       }), "not a count"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(1); p.pack(5.5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(5); p.pack(1);
       }), "not a count"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(9); p.pack(5);
         p.pack_array(2); p.pack(5); p.pack(1);
       }), "min is above max"},
      {report_with_histogram([](Packer &p) {
         p.pack_array(5); p.pack(2); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(5); p.pack(2);
       }), "differs from 'num_requests'"},
      {report_with_histogram([](Packer &p) {  // bucket counts that wrap around 2^64
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(6);
         for (int i = 0; i < 3; ++i) { p.pack(i ? 1 : 5); p.pack(std::numeric_limits<int64_t>::max()); }
       }), "overflows"},
      {report_with_histogram([](Packer &p) {  // a count past int64
         p.pack_array(5); p.pack(1); p.pack(5); p.pack(5); p.pack(5);
         p.pack_array(2); p.pack(5); p.pack(std::numeric_limits<uint64_t>::max());
       }), "not a count"},
  };
  // A Locust entry whose times are garbage.
  auto locust_with = [](const std::string &key, const std::function<void(Packer &)> &value) {
    return with_data([&](Packer &p) {
      p.pack_map(3);
      pack_str(p, "stats");
      p.pack_array(0);
      pack_str(p, "stats_total");
      p.pack_map(6);
      pack_str(p, "num_requests");
      p.pack(1);
      pack_str(p, "num_failures");
      p.pack(0);
      pack_str(p, "total_content_length");
      p.pack(0);
      pack_str(p, "min_response_time");
      p.pack(1);
      pack_str(p, key);
      value(p);
      pack_str(p, key == "response_times" ? "max_response_time" : "response_times");
      if (key == "response_times") p.pack(1);
      else { p.pack_map(1); p.pack(1); p.pack(1); }
      pack_str(p, "errors");
      p.pack_map(0);
    });
  };
  bad.push_back({locust_with("response_times", [](Packer &p) { p.pack_map(1); pack_str(p, "5"); p.pack(1); }),
                 "'response_times key'"});
  bad.push_back({locust_with("response_times", [](Packer &p) { p.pack_map(1); p.pack(-5); p.pack(1); }),
                 "'response_times key'"});
  bad.push_back({locust_with("response_times", [](Packer &p) { p.pack_map(1); p.pack(1e300); p.pack(1); }),
                 "'response_times key'"});
  bad.push_back({locust_with("response_times", [](Packer &p) { p.pack_map(1); p.pack(5); p.pack(2); }),
                 "more samples than"});
  bad.push_back({locust_with("response_times", [](Packer &p) { p.pack_array(0); }), "not a map"});
  bad.push_back({locust_with("max_response_time", [](Packer &p) { p.pack(-1.0); }), "not a time"});
  bad.push_back({locust_with("max_response_time", [](Packer &p) { p.pack(0.5); }), "above"});
  bad.push_back({locust_with("total_response_time", [](Packer &p) { pack_str(p, "1"); }), "not a time"});
  bad.push_back({locust_with("num_reqs_per_sec", [](Packer &p) { p.pack_map(1); p.pack(-3); p.pack(1); }),
                 "not a second"});
  bad.push_back({locust_with("num_fail_per_sec", [](Packer &p) { p.pack_map(1); p.pack(3); p.pack(1.5); }),
                 "not a count"});
  bad.push_back({locust_with("last_request_timestamp", [](Packer &p) { p.pack_array(0); }), "not a timestamp"});
  // Errors.
  auto report_errors = [](const std::function<void(Packer &)> &errors) {
    return with_data([&](Packer &p) {
      p.pack_map(3);
      pack_str(p, "errors");
      errors(p);
      pack_str(p, "stats");
      p.pack_array(0);
      pack_str(p, "stats_total");
      p.pack_map(4);
      pack_str(p, "num_requests");
      p.pack(0);
      pack_str(p, "num_failures");
      p.pack(0);
      pack_str(p, "total_content_length");
      p.pack(0);
      pack_str(p, "response_times");
      p.pack_map(0);
    });
  };
  bad.push_back({report_errors([](Packer &p) { p.pack_array(0); }), "'errors' is not a map"});
  bad.push_back({report_errors([](Packer &p) { p.pack_map(1); pack_str(p, "k"); p.pack(1); }), "row is not a map"});
  bad.push_back({report_errors([](Packer &p) {
                   p.pack_map(1); p.pack(7); p.pack_map(0);
                 }), "key is not a string"});
  bad.push_back({report_errors([](Packer &p) {
                   p.pack_map(1); pack_str(p, "k"); p.pack_map(3);
                   pack_str(p, "name"); pack_str(p, "/x"); pack_str(p, "method"); pack_str(p, "GET");
                   pack_str(p, "error"); p.pack(5);
                 }), "'error' is not a string"});
  bad.push_back({report_errors([](Packer &p) {
                   p.pack_map(1); pack_str(p, "k"); p.pack_map(4);
                   pack_str(p, "name"); pack_str(p, "/x"); pack_str(p, "method"); pack_str(p, "GET");
                   pack_str(p, "error"); pack_str(p, "e"); pack_str(p, "occurrences"); p.pack(-2);
                 }), "'occurrences' is not a count"});

  for (size_t i = 0; i < bad.size(); ++i) {
    stats::StatsTable master = master_with_something();
    const auto before = fingerprint(master);
    std::string why = decode_and_merge(bad[i].first, master);
    EXPECT_NE(why.find(bad[i].second), std::string::npos) << "case " << i << ": " << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    EXPECT_EQ(fingerprint(master), before) << "case " << i << " merged something";
  }
}

// A report whose first entry is fine and whose last part is not: the good
// entry is not merged either.
TEST(StatsWire, AReportBadAtTheEndMergesNothingOfItsStart) {
  stats::StatsTable t;
  for (auto &s : samples(1000)) record(t, s);
  std::string bytes = encode_message("stats", "w", [&](Packer &p) {
    p.pack_map(3);
    pack_stats_report(p, t);  // "stats", "stats_total", "errors"...
  });
  // ...with the errors' last occurrence count made negative (it is the last
  // number of the message: a positive fixint there becomes 0xff, i.e. -1).
  ASSERT_LT(uint8_t(bytes[bytes.size() - 1 - 2]), 0x80u);  // the node id "w" is the last 2 bytes
  bytes[bytes.size() - 1 - 2] = char(0xff);
  stats::StatsTable master = master_with_something();
  const auto before = fingerprint(master);
  EXPECT_NE(decode_and_merge(bytes, master), "");
  EXPECT_EQ(fingerprint(master), before);
}

// Every node of a real report replaced, one at a time, by each of several
// wrong values: the merge never throws, and a refusal leaves the master as
// it was. Strings where numbers or containers belong are always refused.
TEST(StatsWire, EveryFieldOfWrongTypeIsRefusedOrHarmless) {
  stats::StatsTable t;
  for (auto &s : samples(300)) record(t, s);
  std::string valid = report_message(t);
  auto decoded = decode_message(valid, nullptr);
  ASSERT_TRUE(decoded);

  // Each value node (map values and array elements, not keys), with the key
  // path that leads to it.
  struct Node {
    std::vector<uint32_t> route;  // child indexes from the root
    std::string key;              // the map key right above it ("" if none)
    std::string top;              // the report's top-level key it is under
  };
  std::vector<Node> nodes;
  std::function<void(const msgpack::object &, Node)> walk = [&](const msgpack::object &o, Node here) {
    nodes.push_back(here);
    if (o.type == msgpack::type::MAP) {
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        Node child = here;
        child.route.push_back(i);
        child.key = std::string(as_string(&o.via.map.ptr[i].key).value_or(""));
        if (here.route.empty()) child.top = child.key;
        walk(o.via.map.ptr[i].val, child);
      }
    } else if (o.type == msgpack::type::ARRAY) {
      for (uint32_t i = 0; i < o.via.array.size; ++i) {
        Node child = here;
        child.route.push_back(i);
        child.key = "";
        walk(o.via.array.ptr[i], child);
      }
    }
  };
  walk(decoded->data(), Node{});
  ASSERT_GT(nodes.size(), 200u);

  std::vector<msgpack::object> wrongs;
  msgpack::object text;
  text.type = msgpack::type::STR;
  text.via.str.ptr = "x";
  text.via.str.size = 1;
  wrongs.push_back(text);
  wrongs.push_back(msgpack::object());  // nil
  wrongs.push_back(msgpack::object(-1));
  wrongs.push_back(msgpack::object(1.5));
  wrongs.push_back(msgpack::object(1e300));
  wrongs.push_back(msgpack::object(std::numeric_limits<uint64_t>::max()));
  wrongs.push_back(msgpack::object(true));
  msgpack::object empty_array;
  empty_array.type = msgpack::type::ARRAY;
  empty_array.via.array = {0, nullptr};
  wrongs.push_back(empty_array);
  msgpack::object empty_map;
  empty_map.type = msgpack::type::MAP;
  empty_map.via.map = {0, nullptr};
  wrongs.push_back(empty_map);

  size_t refused = 0, tried = 0;
  for (const Node &node : nodes) {
    for (size_t w = 0; w < wrongs.size(); ++w) {
      msgpack::object_handle copy = msgpack::clone(decoded->data());
      msgpack::object *at = const_cast<msgpack::object *>(&copy.get());
      for (uint32_t i : node.route)
        at = at->type == msgpack::type::MAP ? &at->via.map.ptr[i].val : &at->via.array.ptr[i];
      *at = wrongs[w];
      stats::StatsTable master = master_with_something();
      const auto before = fingerprint(master);
      std::string why;
      EXPECT_NO_THROW(why = merge_stats_report(copy.get(), master, kNow));
      ++tried;
      if (!why.empty()) {
        ++refused;
        EXPECT_EQ(fingerprint(master), before) << why;
      }
      const bool text_is_fine = node.key == "name" || node.key == "method" || node.key == "error" ||
                                node.top == "user_classes_count" || node.top == "user_count";
      if (w == 0 && !text_is_fine) EXPECT_NE(why, "") << "a string at '" << node.key << "' under " << node.top;
    }
  }
  EXPECT_GT(refused, tried / 2);
}

// Random damage to a report's bytes: decoded or not, merged or refused,
// never a crash, and a refusal merges nothing.
TEST(StatsWire, RandomlyDamagedReportsNeverCrash) {
  stats::StatsTable t;
  for (auto &s : samples(200)) record(t, s);
  const std::string good = report_message(t);
  std::mt19937 rng(11);
  int merged = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string bytes = good;
    for (int flips = 1 + int(rng() % 3); flips > 0; --flips) bytes[rng() % bytes.size()] = char(rng());
    stats::StatsTable master = master_with_something();
    const auto before = fingerprint(master);
    std::string why;
    EXPECT_NO_THROW(why = decode_and_merge(bytes, master));
    if (why.empty()) ++merged;
    else EXPECT_EQ(fingerprint(master), before) << why;
  }
  EXPECT_GT(merged, 0);
}

}  // namespace
