// Stats reports against the real Locust 2.12 (Debian's python3-locust), both
// ways: Locust's own master code merges loadhost workers' reports, and a
// loadhost master merges a report written by Locust's own worker code.
// Bytes cross through files; Python prints what it saw as JSON.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "stats_wire_helpers.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace loadhost;
using namespace loadhost::distributed;
using namespace loadhost::distributed::test_support;
using stats::LatencyHistogram;

constexpr const char *kPython = "/usr/bin/python3";  // Debian's: the one python3-locust is installed for

bool have_locust() {
  return std::filesystem::exists(kPython) &&
         std::system("/usr/bin/python3 -c 'import locust.stats, locust.rpc.protocol' >/dev/null 2>&1") == 0;
}

nlohmann::json run_python(const loadhost::test::TempDir &dir, const std::string &script) {
  loadhost::test::Process p({kPython, "-c", script}, dir.path(), dir.path());
  auto status = p.wait(std::chrono::seconds(120));
  EXPECT_TRUE(status && status->exited_normally()) << p.stderr_text();
  try {
    return nlohmann::json::parse(p.stdout_text());
  } catch (const std::exception &e) {
    ADD_FAILURE() << e.what() << "\nstdout: " << p.stdout_text() << "\nstderr: " << p.stderr_text();
    return {};
  }
}

// What Locust computes from the rounded response_times a loadhost worker
// sends: the key (bucket midpoint, rounded as Locust rounds) of the sample at
// rank int(count * q) (rank >= count: the largest key).
double locust_key_at_rank(const LatencyHistogram &h, uint64_t rank) {
  double key = 0;
  uint64_t seen = 0;
  bool found = false;
  h.for_each_bucket([&](size_t index, uint64_t n) {
    if (found) return;
    seen += n;
    key = double(locust_rounded_ms(double(LatencyHistogram::bucket_midpoint(index)) / 1000.0));
    found = seen > rank;
  });
  return key;
}

double locust_percentile(const LatencyHistogram &h, double q) {
  return locust_key_at_rank(h, uint64_t(double(h.count()) * q));  // Locust: int(num_requests * percent)
}

// Locust's median_response_time: the lower median's key, clamped to the
// entry's exact min and max.
double locust_median(const LatencyHistogram &h) {
  const double key = locust_key_at_rank(h, (h.count() - 1) / 2);
  return std::clamp(key, double(h.min()) / 1000.0, double(h.max()) / 1000.0);
}

// Locust's own master: the worker_report listener of
// setup_distributed_stats_event_listeners (StatsEntry.unserialize, then
// extend) merges two loadhost workers' reports. Every figure it prints is
// what our tables predict, exactly.
TEST(StatsWireLocust, LocustMasterMergesLoadhostReports) {
  if (!have_locust()) GTEST_SKIP() << "Debian's python3-locust (Locust 2.12) is not installed";
  loadhost::test::TempDir dir("lh-wire");
  std::array<stats::StatsTable, 2> workers;
  stats::StatsTable both;
  auto all = samples(20'000, 5);
  for (size_t i = 0; i < all.size(); ++i) {
    record(workers[i % 2], all[i]);
    record(both, all[i]);
  }
  for (size_t w = 0; w < 2; ++w)
    std::ofstream(dir.path() / fmt::format("report{}.bin", w), std::ios::binary)
        << report_message(workers[w], fmt::format("w{}", w));

  nlohmann::json j = run_python(dir, R"(
import json
from locust.rpc.protocol import Message
from locust.event import Events
from locust.stats import RequestStats, setup_distributed_stats_event_listeners, PERCENTILES_TO_REPORT
events = Events()
stats = RequestStats()
setup_distributed_stats_event_listeners(events, stats)
nodes = []
for w in range(2):
    msg = Message.unserialize(open('report%d.bin' % w, 'rb').read())
    nodes.append([msg.type, msg.node_id])
    events.worker_report.fire(client_id=msg.node_id, data=msg.data)
def figures(e):
    return {'method': e.method, 'name': e.name, 'requests': e.num_requests, 'failures': e.num_failures,
            'total_ms': e.total_response_time, 'min_ms': e.min_response_time, 'max_ms': e.max_response_time,
            'bytes': e.total_content_length, 'median_ms': e.median_response_time,
            'percentiles_ms': [e.get_response_time_percentile(q) for q in PERCENTILES_TO_REPORT],
            'start_time': e.start_time, 'last_request': e.last_request_timestamp,
            'per_sec_requests': sum(e.num_reqs_per_sec.values()), 'per_sec_failures': sum(e.num_fail_per_sec.values())}
print(json.dumps({'nodes': nodes, 'total': figures(stats.total),
                  'entries': [figures(e) for e in stats.entries.values()],
                  'errors': {k: [e.method, e.name, e.error, e.occurrences] for k, e in stats.errors.items()}}))
)");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["nodes"], nlohmann::json::parse(R"([["stats", "w0"], ["stats", "w1"]])"));

  auto expect_locust_figures = [&](const nlohmann::json &got, const stats::StatsEntry &ours,
                                   const stats::StatsEntry &part0, const stats::StatsEntry &part1) {
    const std::string what = ours.type() + " " + ours.name();
    const LatencyHistogram &h = ours.histogram();
    EXPECT_EQ(got["requests"].get<uint64_t>(), ours.num_requests()) << what;
    EXPECT_EQ(got["failures"].get<uint64_t>(), ours.num_failures()) << what;
    EXPECT_EQ(got["bytes"].get<uint64_t>(), ours.total_content_length()) << what;
    // Python adds the two reports' floats, in the order they arrived.
    EXPECT_EQ(got["total_ms"].get<double>(),
              0.0 + double(part0.total_response_time_us()) / 1000.0 + double(part1.total_response_time_us()) / 1000.0)
        << what;
    EXPECT_EQ(got["min_ms"].get<double>(), double(h.min()) / 1000.0) << what;
    EXPECT_EQ(got["max_ms"].get<double>(), double(h.max()) / 1000.0) << what;
    EXPECT_EQ(got["median_ms"].get<double>(), locust_median(h)) << what;
    for (size_t i = 0; i < stats::kPercentilesToReport.size(); ++i)
      EXPECT_EQ(got["percentiles_ms"][i].get<double>(), locust_percentile(h, stats::kPercentilesToReport[i]))
          << what << " q=" << stats::kPercentilesToReport[i];
    EXPECT_EQ(got["start_time"].get<double>(), ours.first_request_time()) << what;
    EXPECT_EQ(got["last_request"].get<double>(), ours.last_request_time()) << what;
    EXPECT_EQ(got["per_sec_requests"].get<uint64_t>(), ours.num_requests()) << what;
    EXPECT_EQ(got["per_sec_failures"].get<uint64_t>(), ours.num_failures()) << what;
  };
  expect_locust_figures(j["total"], both.total(), workers[0].total(), workers[1].total());
  ASSERT_EQ(j["entries"].size(), both.entry_count());
  for (const nlohmann::json &e : j["entries"]) {
    const auto method = e["method"].get<std::string>(), name = e["name"].get<std::string>();
    const stats::StatsEntry *ours = both.find(method, name);
    ASSERT_NE(ours, nullptr) << name;
    expect_locust_figures(e, *ours, *workers[0].find(method, name), *workers[1].find(method, name));
  }
  // One Locust row per (method, name, error), under our key.
  ASSERT_EQ(j["errors"].size(), both.sorted_failures().size());
  for (const stats::Failure *f : both.sorted_failures()) {
    const nlohmann::json &row = j["errors"][locust_error_key(f->method_, f->name_, f->error_)];
    EXPECT_EQ(row, nlohmann::json::array({f->method_, f->name_, f->error_, f->occurrences_}));
  }
}

// Ours against Locust's value for the same rank: within the histogram's
// 1/256 of Locust's key (clamped to the exact extremes, as ours is); the
// lowest and highest ranks are the exact min and max.
void expect_near_locust(double ours_us, double locust_ms, uint64_t rank, const stats::StatsEntry &e,
                        const std::string &what) {
  const double min = double(e.min_response_time_us()), max = double(e.max_response_time_us());
  if (rank == 0) {
    EXPECT_EQ(ours_us, min) << what;
  } else if (rank >= e.num_requests() - 1) {
    EXPECT_EQ(ours_us, max) << what;
  } else {
    const double locust_us = std::clamp(locust_ms * 1000.0, min, max);
    EXPECT_NEAR(ours_us, locust_us, locust_ms * 1000.0 / 256 + 1e-9) << what;
  }
}

// Locust's own worker code (RequestStats, log_request/log_error, the
// report_to_master listener, Message.serialize) writes a report; a loadhost
// master merges it.
TEST(StatsWireLocust, LoadhostMasterMergesALocustReport) {
  if (!have_locust()) GTEST_SKIP() << "Debian's python3-locust (Locust 2.12) is not installed";
  loadhost::test::TempDir dir("lh-wire");
  nlohmann::json j = run_python(dir, R"(
import json, random
from locust.rpc.protocol import Message
from locust.event import Events
from locust.stats import RequestStats, setup_distributed_stats_event_listeners, PERCENTILES_TO_REPORT
random.seed(3)
events = Events()
stats = RequestStats()
setup_distributed_stats_event_listeners(events, stats)
for i in range(6000):
    rt = random.lognormvariate(2.0, 1.5) * (40 if i % 97 == 0 else 1)  # tails past 10 s
    name = '/p%d' % (i % 3)
    stats.log_request('GET', name, rt, 100 + i % 3)
    if i % 50 == 0:
        stats.log_error('GET', name, 'boom %d' % ((i // 50) % 2))
for i in range(40):
    stats.log_request('POST', '/none', None if i % 8 == 0 else 3.25 * i, 0)  # None: no response time
def figures(e):
    return {'method': e.method, 'name': e.name, 'requests': e.num_requests, 'none': e.num_none_requests,
            'failures': e.num_failures, 'total_ms': e.total_response_time, 'min_ms': e.min_response_time,
            'max_ms': e.max_response_time, 'bytes': e.total_content_length, 'median_ms': e.median_response_time,
            'percentiles_ms': [e.get_response_time_percentile(q) for q in PERCENTILES_TO_REPORT]}
expected = {'total': figures(stats.total), 'entries': [figures(e) for e in stats.entries.values()],
            'errors': [e.serialize() for e in stats.errors.values()]}
data = {}
events.report_to_master.fire(client_id='lw', data=data)  # what a Locust worker sends: a delta, then it resets
data['user_classes_count'] = {'QuickUser': 3}
data['user_count'] = 3
open('report.bin', 'wb').write(Message('stats', data, 'lw').serialize())
print(json.dumps(expected))
)");
  ASSERT_FALSE(j.is_null());
  std::ifstream in(dir.path() / "report.bin", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto msg = decode_message(bytes, nullptr);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->type, "stats");
  EXPECT_EQ(msg->node_id, "lw");
  stats::StatsTable master;
  ASSERT_EQ(merge_stats_report(msg->data(), master, kNow), "");

  auto expect_figures = [&](const nlohmann::json &want, const stats::StatsEntry &ours) {
    const std::string what = ours.type() + " " + ours.name();
    const auto n = want["requests"].get<uint64_t>();
    EXPECT_EQ(ours.num_requests(), n) << what;
    EXPECT_EQ(ours.num_failures(), want["failures"].get<uint64_t>()) << what;
    EXPECT_EQ(ours.total_content_length(), want["bytes"].get<uint64_t>()) << what;
    EXPECT_EQ(ours.total_response_time_us(), uint64_t(std::llround(want["total_ms"].get<double>() * 1000))) << what;
    EXPECT_EQ(ours.min_response_time_us(), uint64_t(std::llround(want["min_ms"].get<double>() * 1000))) << what;
    EXPECT_EQ(ours.max_response_time_us(), uint64_t(std::llround(want["max_ms"].get<double>() * 1000))) << what;
    for (size_t i = 0; i < stats::kPercentilesToReport.size(); ++i) {
      const double q = stats::kPercentilesToReport[i];
      expect_near_locust(ours.percentile(q), want["percentiles_ms"][i].get<double>(),
                         uint64_t(double(n) * q), ours, what + fmt::format(" q={}", q));
    }
    // Locust's median leaves requests without a time out; ours counts them
    // at the bottom (as Locust's percentiles do), so only compare without.
    if (want["none"].get<uint64_t>() == 0)
      expect_near_locust(ours.median_response_time(), want["median_ms"].get<double>(), (n - 1) / 2, ours,
                         what + " median");
  };
  expect_figures(j["total"], master.total());
  ASSERT_EQ(master.entry_count(), j["entries"].size());
  for (const nlohmann::json &e : j["entries"]) {
    const stats::StatsEntry *ours = master.find(e["method"].get<std::string>(), e["name"].get<std::string>());
    ASSERT_NE(ours, nullptr) << e["name"];
    expect_figures(e, *ours);
  }
  EXPECT_EQ(master.find("POST", "/none")->num_requests(), 40u);
  // Locust sends its error text as the Python repr of the error: 'boom 0'.
  ASSERT_EQ(master.sorted_failures().size(), j["errors"].size());
  ASSERT_EQ(master.sorted_failures().size(), 6u);  // 3 names x 2 texts
  for (const nlohmann::json &row : j["errors"]) {
    bool found = false;
    for (const stats::Failure *f : master.sorted_failures())
      if (f->method_ == row["method"].get<std::string>() && f->name_ == row["name"].get<std::string>() &&
          f->error_ == row["error"].get<std::string>()) {
        found = true;
        EXPECT_EQ(f->occurrences_, row["occurrences"].get<uint64_t>());
      }
    EXPECT_TRUE(found) << row.dump();
  }
  EXPECT_EQ(master.sorted_failures()[0]->error_.front(), '\'');
}

}  // namespace
