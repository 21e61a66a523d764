// StatsTable: the per-thread hot path, failures, exceptions, sorting, and
// exact merging of thread shards.
#include "core/stats/stats_table.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "core/stats/percentiles.hpp"

// Counts heap allocations while a test asks for it, to prove the hot path
// allocates nothing once its entry exists.
// Also keeps the heap bytes live (as malloc sized them), to measure what a
// stats entry costs.
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<long> g_allocations{0};
std::atomic<long> g_live_bytes{0};
}  // namespace

// GCC cannot see that this operator new is the malloc that delete frees.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    g_live_bytes += static_cast<long>(malloc_usable_size(p));
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  if (p) g_live_bytes -= static_cast<long>(malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace loadhost::stats {
namespace {

TEST(StatsTable, RecordFillsEntryTotalAndFailures) {
  StatsTable table(1000.0);
  EXPECT_TRUE(table.empty());
  table.record("GET", "/a", 2'000, 50, "", 1001.0);
  table.record("GET", "/a", 4'000, 70, "HTTPError('500 Server Error')", 1002.0);
  table.record("POST", "/cart", 9'000, 0, "HTTPError('500 Server Error')", 1003.0);
  table.record("GET", "/a", 6'000, 10, "HTTPError('500 Server Error')", 1004.0);

  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table.entry_count(), 2u);
  const StatsEntry* a = table.find("GET", "/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->num_requests(), 3u);
  EXPECT_EQ(a->num_failures(), 2u);
  EXPECT_EQ(a->total_content_length(), 130u);
  EXPECT_EQ(table.find("POST", "/a"), nullptr);

  EXPECT_EQ(table.total().name(), "Aggregated");
  EXPECT_EQ(table.total().type(), "");
  EXPECT_EQ(table.total().num_requests(), 4u);
  EXPECT_EQ(table.total().num_failures(), 3u);
  EXPECT_EQ(table.total().max_response_time_us(), 9'000u);
  EXPECT_EQ(table.last_request_time(), 1004.0);
  EXPECT_EQ(table.start_time(), 1000.0);

  const auto failures = table.sorted_failures();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0]->method_, "GET");
  EXPECT_EQ(failures[0]->name_, "/a");
  EXPECT_EQ(failures[0]->error_, "HTTPError('500 Server Error')");
  EXPECT_EQ(failures[0]->occurrences_, 2u);
  EXPECT_EQ(failures[0]->first_seen_, 1002.0);
  EXPECT_EQ(failures[0]->last_seen_, 1004.0);
  EXPECT_EQ(failures[1]->method_, "POST");
  EXPECT_EQ(failures[1]->occurrences_, 1u);
}

TEST(StatsTable, StartTimeDefaultsToFirstRequest) {
  StatsTable table;
  table.record("GET", "/", 1, 0, "", 1234.5);
  EXPECT_EQ(table.start_time(), 1234.5);
}

TEST(StatsTable, ExceptionsCountByMessage) {
  StatsTable table;
  table.record_exception("division by zero", "Shopper: at checkout()");
  table.record_exception("division by zero", "other detail");
  table.record_exception("bad token", "Admin");
  EXPECT_FALSE(table.empty());
  const auto exceptions = table.sorted_exceptions();
  ASSERT_EQ(exceptions.size(), 2u);
  EXPECT_EQ(exceptions[0]->message_, "bad token");
  EXPECT_EQ(exceptions[0]->count_, 1u);
  EXPECT_EQ(exceptions[1]->message_, "division by zero");
  EXPECT_EQ(exceptions[1]->count_, 2u);
  EXPECT_EQ(exceptions[1]->detail_, "Shopper: at checkout()");  // the first one seen
}

TEST(StatsTable, SortsByNameThenType) {
  StatsTable table;
  table.record("POST", "/b", 1, 0, "", 1.0);
  table.record("GET", "/b", 1, 0, "", 1.0);
  table.record("GET", "/a", 1, 0, "", 1.0);
  table.record("DELETE", "/c", 1, 0, "", 1.0);
  std::vector<std::string> order;
  for (const StatsEntry* e : table.sorted_entries()) order.push_back(e->type() + " " + e->name());
  EXPECT_EQ(order, (std::vector<std::string>{"GET /a", "GET /b", "POST /b", "DELETE /c"}));
}

TEST(StatsTable, KeysDoNotRunTogether) {
  StatsTable table;
  table.record("ab", "c", 1, 0, "", 1.0);
  table.record("a", "bc", 1, 0, "", 1.0);
  EXPECT_EQ(table.entry_count(), 2u);
}

TEST(StatsTable, RecordingIntoExistingRowsDoesNotAllocate) {
  StatsTable table(1.0);
  table.record("GET", "/a", 100, 10, "", 1.0);
  table.record("GET", "/a", 100, 10, "timeout", 1.0);
  const std::string type = "GET";
  const std::string name = "/a";
  const std::string error = "timeout";
  auto record_all = [&] {
    for (int i = 0; i < 10'000; ++i)
      table.record(type, name, static_cast<std::uint64_t>(i) * 97, 10, i % 3 ? "" : error, 1.0 + i / 1000.0);
  };
  // The steady state of a hot name: its histogram has grown to what its
  // latencies need (sparse, then dense past 256 buckets) in the first pass.
  record_all();
  g_allocations = 0;
  g_count_allocations = true;
  record_all();
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_EQ(table.find("GET", "/a")->num_requests(), 20'002u);
}

TEST(StatsTable, MergedShardsEqualOneTable) {
  // Four loop threads' tables vs one table that saw every request.
  StatsTable all(1000.0);
  std::vector<StatsTable> shards;
  for (int i = 0; i < 4; ++i) shards.emplace_back(1000.0 + i);  // threads start apart
  const std::vector<std::string> names{"/", "/item/[id]", "/cart"};
  const std::vector<std::string> types{"GET", "POST"};
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> latency(std::log(30'000.0), 0.8);
  double now = 1000.0;
  for (int i = 0; i < 200'000; ++i) {
    now += 0.0002;
    const std::string& type = types[rng() % types.size()];
    const std::string& name = names[rng() % names.size()];
    const auto us = static_cast<std::uint64_t>(latency(rng));
    const std::string error = rng() % 50 == 0 ? "ConnectionResetError(104)" : (rng() % 70 == 0 ? "timeout" : "");
    all.record(type, name, us, us % 2048, error, now);
    shards[rng() % shards.size()].record(type, name, us, us % 2048, error, now);
    if (rng() % 10'000 == 0) {
      all.record_exception("boom", "Shopper");
      shards[0].record_exception("boom", "Shopper");
    }
  }
  StatsTable merged;
  for (const auto& shard : shards) merged.merge(shard);

  EXPECT_EQ(merged.start_time(), all.start_time());
  EXPECT_EQ(merged.last_request_time(), all.last_request_time());
  ASSERT_EQ(merged.entry_count(), all.entry_count());
  std::vector<const StatsEntry*> rows = all.sorted_entries();
  rows.push_back(&all.total());
  for (const StatsEntry* expected : rows) {
    const StatsEntry* got = expected == &all.total() ? &merged.total() : merged.find(expected->type(), expected->name());
    ASSERT_NE(got, nullptr) << expected->name();
    EXPECT_EQ(got->num_requests(), expected->num_requests());
    EXPECT_EQ(got->num_failures(), expected->num_failures());
    EXPECT_EQ(got->total_response_time_us(), expected->total_response_time_us());
    EXPECT_EQ(got->min_response_time_us(), expected->min_response_time_us());
    EXPECT_EQ(got->max_response_time_us(), expected->max_response_time_us());
    EXPECT_EQ(got->total_content_length(), expected->total_content_length());
    EXPECT_EQ(got->median_response_time(), expected->median_response_time());
    for (double q : kPercentilesToReport) EXPECT_EQ(got->percentile(q), expected->percentile(q)) << q;
    EXPECT_EQ(got->current_rps(now), expected->current_rps(now));
    EXPECT_EQ(got->current_fail_per_sec(now), expected->current_fail_per_sec(now));
  }
  const auto expected_failures = all.sorted_failures();
  const auto got_failures = merged.sorted_failures();
  ASSERT_EQ(got_failures.size(), expected_failures.size());
  for (std::size_t i = 0; i < got_failures.size(); ++i) {
    EXPECT_EQ(got_failures[i]->error_, expected_failures[i]->error_);
    EXPECT_EQ(got_failures[i]->occurrences_, expected_failures[i]->occurrences_);
    EXPECT_EQ(got_failures[i]->first_seen_, expected_failures[i]->first_seen_);
    EXPECT_EQ(got_failures[i]->last_seen_, expected_failures[i]->last_seen_);
  }
  ASSERT_EQ(merged.sorted_exceptions().size(), 1u);
  EXPECT_EQ(merged.sorted_exceptions()[0]->count_, all.sorted_exceptions()[0]->count_);
}

TEST(StatsTable, ResetKeepsRowsClearsErrors) {
  StatsTable table(10.0);
  table.record("GET", "/a", 100, 0, "oops", 11.0);
  table.record_exception("x", "y");
  table.reset(20.0);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.start_time(), 20.0);
  ASSERT_NE(table.find("GET", "/a"), nullptr);  // Locust's reset_all keeps rows
  EXPECT_EQ(table.find("GET", "/a")->num_requests(), 0u);
  EXPECT_TRUE(table.sorted_failures().empty());
  EXPECT_TRUE(table.sorted_exceptions().empty());
  EXPECT_EQ(table.total().num_requests(), 0u);
}

TEST(StatsTable, FailuresAndExceptionsWithACount) {
  // A worker's report carries each distinct row once, with its count.
  StatsTable t;
  t.record_failures("GET", "/x", "HTTP 500", 5, 10.0);
  t.record_failures("GET", "/x", "HTTP 500", 2, 12.0);
  t.record("GET", "/x", 100, 0, "HTTP 500", 11.0);
  t.record_exception("boom", "trace", 4);
  t.record_exception("boom", "other trace");  // the two-argument form still counts one
  ASSERT_EQ(t.sorted_failures().size(), 1u);
  const Failure& f = *t.sorted_failures()[0];
  EXPECT_EQ(f.occurrences_, 8u);
  EXPECT_EQ(f.first_seen_, 10.0);
  EXPECT_EQ(f.last_seen_, 12.0);
  ASSERT_EQ(t.sorted_exceptions().size(), 1u);
  EXPECT_EQ(t.sorted_exceptions()[0]->count_, 5u);
  EXPECT_EQ(t.sorted_exceptions()[0]->detail_, "trace");
}

TEST(StatsTable, RowsFilledOneByOneAreFound) {
  StatsTable t;
  StatsEntry& e = t.entry("GET", "/x");
  EXPECT_EQ(&e, &t.entry("GET", "/x"));  // the same row, not a second one
  EXPECT_EQ(t.find("GET", "/x"), &e);
  EXPECT_EQ(e.type(), "GET");
  EXPECT_EQ(e.name(), "/x");
  StatsEntry worker;
  worker.record(1'000, 3, false, 5.0);
  e.merge(worker);
  t.mutable_total().merge(worker);
  EXPECT_EQ(t.total().num_requests(), 1u);
  EXPECT_EQ(t.find("GET", "/x")->num_requests(), 1u);
}

// Issue 16: a name with few samples costs a few kilobytes, not ~135 KB,
// counted over the whole path a sample takes: two loop shards, their two
// outboxes, and the run's table, flushed and merged once a "second".
TEST(StatsTable, ANameWithAHundredSamplesCostsUnderFourKilobytes) {
  constexpr int kNames = 2'000;
  constexpr int kSeconds = 10;
  std::vector<std::string> names;
  for (int k = 0; k < kNames; ++k) names.push_back("/item?id=" + std::to_string(100'000 + k));  // no SSO
  const long before = g_live_bytes.load();
  {
    StatsTable shards[2], outboxes[2], run(1000.0);
    std::mt19937_64 rng(5);
    std::lognormal_distribution<double> latency(std::log(3'000.0), 0.6);
    for (int second = 0; second < kSeconds; ++second) {
      const double now = 1000.0 + second;
      for (int k = 0; k < kNames; ++k)
        for (int i = 0; i < 100 / kSeconds; ++i)
          shards[rng() % 2].record("GET", names[k], static_cast<std::uint64_t>(latency(rng)), 100, "", now);
      for (int l = 0; l < 2; ++l) {  // Loop::flush_shard, then Runner::merge_stats
        outboxes[l].merge(shards[l]);
        shards[l].reset();
        run.merge(outboxes[l]);
        outboxes[l].reset();
      }
    }
    ASSERT_EQ(run.total().num_requests(), std::uint64_t{kNames} * 100);
    const double per_name = double(g_live_bytes.load() - before) / kNames;
    std::printf("[   INFO   ] %d names x 100 samples: %.0f bytes per name over 5 tables\n", kNames, per_name);
    EXPECT_LE(per_name, 4096.0);
  }
}

// A shard's entries remember their row in the table they merge into; that
// must never outlive the table, nor follow it into a copy or a move.
TEST(StatsTable, MergingIntoNewCopiedAndMovedTablesFindsTheRightRows) {
  StatsTable shard(1.0);
  shard.record("GET", "/a", 1'000, 0, "", 1.0);
  shard.record("GET", "/b", 2'000, 0, "", 1.0);
  for (int round = 0; round < 3; ++round) {
    auto run = std::make_unique<StatsTable>(1.0);  // often at the address of the last one
    run->merge(shard);
    run->merge(shard);
    ASSERT_NE(run->find("GET", "/a"), nullptr);
    EXPECT_EQ(run->find("GET", "/a")->num_requests(), 2u);
    EXPECT_EQ(run->find("GET", "/b")->num_requests(), 2u);
  }
  StatsTable run(1.0);
  run.merge(shard);
  StatsTable copy = run;
  copy.merge(shard);  // into the copy's rows, not run's
  EXPECT_EQ(run.find("GET", "/a")->num_requests(), 1u);
  EXPECT_EQ(copy.find("GET", "/a")->num_requests(), 2u);
  StatsTable moved = std::move(run);
  moved.merge(shard);
  EXPECT_EQ(moved.find("GET", "/a")->num_requests(), 2u);
  run = StatsTable(1.0);  // NOLINT(bugprone-use-after-move): reused, as a Runner's table is
  run.merge(shard);
  EXPECT_EQ(run.find("GET", "/a")->num_requests(), 1u);
  EXPECT_EQ(moved.find("GET", "/a")->num_requests(), 2u);
  // A reset table merges only what came after.
  shard.reset();
  shard.record("GET", "/b", 3'000, 0, "", 2.0);
  moved.merge(shard);
  EXPECT_EQ(moved.find("GET", "/a")->num_requests(), 2u);
  EXPECT_EQ(moved.find("GET", "/b")->num_requests(), 3u);
  EXPECT_EQ(moved.total().num_requests(), 5u);
}


// The sent counter travels with the samples: merged by sum (a loop's
// withdrawal in a later shard cancels its earlier count), zeroed by reset,
// and a shard holding only sent calls is not empty (a hung server's calls
// must still be handed over).
TEST(StatsTableSent, MergesWithdrawsResetsAndKeepsAShardNonEmpty) {
  StatsTable first_shard, second_shard, run;
  first_shard.count_sent();
  first_shard.count_sent();
  EXPECT_FALSE(first_shard.empty()) << "two calls sent, none answered yet";
  second_shard.withdraw_sent();  // the scenario cancelled one of them
  second_shard.record("GET", "/a", 1'000, 0, "", 1000.0);
  run.merge(first_shard);
  EXPECT_EQ(run.requests_sent(), 2u);
  run.merge(second_shard);
  EXPECT_EQ(run.requests_sent(), 1u);
  EXPECT_EQ(run.requests_sent(), run.total().num_requests());
  StatsTable moved(std::move(run));
  EXPECT_EQ(moved.requests_sent(), 1u);
  EXPECT_EQ(run.requests_sent(), 0u) << "a moved-from table is empty";  // NOLINT(bugprone-use-after-move)
  moved.reset();
  EXPECT_EQ(moved.requests_sent(), 0u);
  EXPECT_TRUE(moved.empty());
}

}  // namespace
}  // namespace loadhost::stats
