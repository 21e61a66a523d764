// CallEngine (core/engine/call_engine.cpp) against an in-memory protocol:
// the engine, its loop thread and the lh_host table are the real ones; the
// peer is a protocol plugin written here whose calls complete when the test
// says (or never). The test plays the scenario through the same lh_host
// table a scenario uses.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/engine/clock.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/user_runtime.hpp"
#include "core/loader/plugin_registry.hpp"

namespace loadhost::core {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kInterrupted = "interrupted: no response before the test stopped";

// ---- the peer: a protocol plugin whose calls wait for the test ----------

// What the peer holds and what the host cancelled. Only the loop thread
// touches it while the loop runs.
struct FakePeer {
  std::vector<lh_call *> holding;
  std::vector<lh_call *> cancelled;
  // When set, call_start completes the call at once with this error, as a
  // plugin does for an immediate failure.
  const char *fail_in_start = nullptr;
};
FakePeer *g_peer = nullptr;
const lh_host *g_host = nullptr;

lh_str text(std::string_view s) { return lh_str{s.data(), s.size()}; }

void complete_with(lh_call *call, std::string_view error, uint64_t bytes = 0) {
  lh_response response{};
  response.size = sizeof(response);
  response.status = error.empty() ? 200 : 0;
  response.error = error.empty() ? lh_str{nullptr, 0} : text(error);
  response.bytes_received = bytes;
  g_host->call_complete(call, &response);
}

// The peer answers the oldest call it holds.
void answer_oldest(std::string_view error, uint64_t bytes = 0) {
  lh_call *call = g_peer->holding.front();
  g_peer->holding.erase(g_peer->holding.begin());
  complete_with(call, error, bytes);
}

void *fake_session_create(const lh_protocol *, const lh_session_config *, lh_str *) { return g_peer; }
void fake_session_destroy(void *) {}
void fake_call_start(void *session, lh_call *call, const lh_request *) {
  auto &peer = *static_cast<FakePeer *>(session);
  if (peer.fail_in_start) return complete_with(call, peer.fail_in_start);
  peer.holding.push_back(call);
}
void fake_call_cancel(void *session, lh_call *call) {
  auto &peer = *static_cast<FakePeer *>(session);
  std::erase(peer.holding, call);
  peer.cancelled.push_back(call);
}
const void *fake_extension(const lh_protocol *, const char *) { return nullptr; }

const lh_descriptor kDescriptor{sizeof(lh_descriptor), "fake", "in-memory peer", "tests", "1",
                                "completes calls when the test says", "fake"};
const lh_protocol kProtocol{&kDescriptor, fake_session_create, fake_session_destroy, fake_call_start,
                            fake_call_cancel, fake_extension};
const lh_protocol_factory kFactory{sizeof(lh_protocol_factory), 1,
                                   [](uint32_t) -> const lh_protocol * { return &kProtocol; }};
const lh_entry kEntry{{LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR},
                      [](const lh_host *host, const char *) -> const char * {
                        g_host = host;
                        return nullptr;
                      },
                      [] {},
                      [](const char *id) -> const void * {
                        return std::string_view(id) == LH_PROTOCOL_FACTORY_ID ? &kFactory : nullptr;
                      }};

const lh_user_class kClass = [] {
  lh_user_class c{};
  c.size = sizeof(c);
  c.name = "Caller";
  return c;
}();

// ---- what the scenario side sees ------------------------------------------

struct Seen {
  std::string error;  // "" = success
  uint64_t response_time_us = 0;
  uint64_t intended_start_ns = 0;
  uint64_t bytes_received = 0;
};

Seen copy_of(const lh_request_event &e) {
  return Seen{e.error.data ? std::string(e.error.data, e.error.size) : std::string(), e.response_time_us,
              e.intended_start_ns, e.bytes_received};
}

// Results delivered to the scenario (done callbacks) and events reported
// (the request hook), written on the loop thread, read by the test.
struct Outcomes {
  std::mutex mutex;
  std::vector<Seen> delivered;
  std::vector<Seen> reported;
  bool in_start = false;          // the test is inside call_start now
  bool delivered_in_start = false;  // a done ran inside call_start (must not)

  static void on_done(void *ud, const lh_call_result *result) {
    auto &o = *static_cast<Outcomes *>(ud);
    std::lock_guard lock(o.mutex);
    if (o.in_start) o.delivered_in_start = true;
    o.delivered.push_back(copy_of(*result->event));
  }
  static void on_request(void *ud, const lh_hook_args *args) {
    auto &o = *static_cast<Outcomes *>(ud);
    std::lock_guard lock(o.mutex);
    o.reported.push_back(copy_of(*args->request));
  }
  size_t delivered_count() {
    std::lock_guard lock(mutex);
    return delivered.size();
  }
  size_t reported_count() {
    std::lock_guard lock(mutex);
    return reported.size();
  }
};

class CallEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_peer = &peer;
    ASSERT_EQ(engine.plugins().add_builtin(&kEntry, "fake peer"), "");
    ASSERT_EQ(engine.create_loops(), "");
    loop().set_loop_hooks(Loop::LoopHooks{{HookSubscriber{&Outcomes::on_request, &outcomes}}, {}, {}, {}});
    ASSERT_EQ(engine.start_loops(), "");
    on_loop([&] {
      user.loop = &loop();
      user.cls = &kClass;
      lh_str error{};
      session = g_host->session_open(&user, text("fake"), text("fake://peer"), nullptr, 0, &error);
    });
    ASSERT_NE(session, nullptr);
  }
  void TearDown() override {
    on_loop([&] {
      while (!user.sessions.empty()) g_host->session_close(&user.sessions.front());
    });
    engine.stop_loops();
    g_peer = nullptr;
  }

  Loop &loop() { return *engine.loops()[0]; }
  CallEngine &calls() { return loop().users().calls(); }

  // Runs fn on the loop thread and waits for it.
  template <class F>
  void on_loop(F fn) {
    std::promise<void> done;
    boost::asio::post(loop().io(), [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  lh_call *start(uint64_t timeout_us = 0, uint64_t intended_start_ns = 0, uint32_t flags = 0) {
    lh_request request{};
    request.size = sizeof(request);
    request.flags = flags;
    request.operation = text("GET");
    request.target = text("/item");
    request.timeout_us = timeout_us;
    request.intended_start_ns = intended_start_ns;
    outcomes.in_start = true;
    lh_call *call = g_host->call_start(session, &request, &Outcomes::on_done, &outcomes);
    outcomes.in_start = false;
    return call;
  }

  // Waits (up to 2 s) until `count` says n.
  template <class Count>
  bool wait_for(Count count, size_t n) {
    for (int i = 0; i < 400 && count() < n; ++i) std::this_thread::sleep_for(5ms);
    return count() == n;
  }

  // The loop's stats since the last call: its shard handed over, then taken.
  stats::StatsTable stats() {
    on_loop([&] { loop().flush_shard(); });
    stats::StatsTable table;
    loop().drain_outbox(table);
    return table;
  }

  FakePeer peer;
  Outcomes outcomes;
  Engine engine{EngineConfig{.loop_threads = 1}};
  User user;
  lh_session *session = nullptr;
};

TEST_F(CallEngineTest, ACompletedCallIsDeliveredReportedAndCountedAsSent) {
  on_loop([&] { start(); });
  ASSERT_EQ(peer.holding.size(), 1u);
  EXPECT_EQ(outcomes.delivered_count(), 0u) << "nothing before the peer answers";
  on_loop([&] { answer_oldest("", 42); });
  ASSERT_EQ(outcomes.delivered_count(), 1u) << "delivered inside the plugin's completion";
  ASSERT_EQ(outcomes.reported_count(), 1u);
  EXPECT_EQ(outcomes.reported[0].error, "");
  EXPECT_EQ(outcomes.reported[0].bytes_received, 42u);
  stats::StatsTable table = stats();
  EXPECT_EQ(table.requests_sent(), 1u);
  EXPECT_EQ(table.total().num_requests(), 1u);
  EXPECT_EQ(calls().in_flight(), 0u);
}

TEST_F(CallEngineTest, ATimeoutCancelsTheCallAtThePeerAndReportsTheTimeoutError) {
  on_loop([&] { start(/*timeout_us=*/50'000); });
  const uint64_t started = monotonic_ns();
  ASSERT_TRUE(wait_for([&] { return outcomes.delivered_count(); }, 1)) << "the sweep (every 10 ms) times it out";
  EXPECT_GE(monotonic_ns() - started, 40'000'000u) << "not before its timeout";
  on_loop([&] {
    EXPECT_TRUE(peer.holding.empty());
    EXPECT_EQ(peer.cancelled.size(), 1u) << "the peer is told to forget it";
  });
  ASSERT_EQ(outcomes.reported_count(), 1u);
  EXPECT_EQ(outcomes.reported[0].error, "timeout: no response within 0.05 s");
  EXPECT_GE(outcomes.reported[0].response_time_us, 50'000u);
  stats::StatsTable table = stats();
  EXPECT_EQ(table.requests_sent(), 1u);
  EXPECT_EQ(table.total().num_failures(), 1u);
}

TEST_F(CallEngineTest, TheScenarioCancellingACallReportsNothingAndTakesBackTheSent) {
  on_loop([&] {
    lh_call *call = start();
    g_host->call_cancel(call);
  });
  on_loop([&] {
    EXPECT_TRUE(peer.holding.empty());
    EXPECT_EQ(peer.cancelled.size(), 1u);
  });
  std::this_thread::sleep_for(50ms);  // a stray timeout or posted delivery would show by now
  EXPECT_EQ(outcomes.delivered_count(), 0u);
  EXPECT_EQ(outcomes.reported_count(), 0u);
  stats::StatsTable table = stats();
  EXPECT_EQ(table.requests_sent(), 0u) << "a withdrawn call owes no result";
  EXPECT_EQ(table.total().num_requests(), 0u);
  EXPECT_EQ(calls().in_flight(), 0u);
}

TEST_F(CallEngineTest, ACompletionInsideCallStartIsDeliveredFromAFreshStack) {
  peer.fail_in_start = "connection refused";
  bool delivered_before_handler_ended = true;
  on_loop([&] {
    start();
    delivered_before_handler_ended = outcomes.delivered_count() != 0;
  });
  EXPECT_FALSE(delivered_before_handler_ended) << "not inside call_start, nor in the same handler";
  ASSERT_TRUE(wait_for([&] { return outcomes.delivered_count(); }, 1));
  EXPECT_FALSE(outcomes.delivered_in_start);
  EXPECT_EQ(outcomes.delivered[0].error, "connection refused");
  EXPECT_EQ(outcomes.reported_count(), 1u);
  EXPECT_EQ(stats().requests_sent(), 1u);
}

TEST_F(CallEngineTest, CallsInFlightAtTheEndAreInterruptedWithTheirElapsedTime) {
  on_loop([&] {
    for (int i = 0; i < 3; ++i) start();
  });
  std::this_thread::sleep_for(100ms);
  on_loop([&] {
    // One more answered inside call_start, its delivery still posted when
    // the test ends: it counts with its own answer, once.
    peer.fail_in_start = "HTTP 503";
    start();
    peer.fail_in_start = nullptr;
    calls().interrupt_session(Session::from(session));
    session = nullptr;
  });
  std::this_thread::sleep_for(50ms);  // the posted delivery, were it still to run
  on_loop([&] {
    EXPECT_TRUE(peer.holding.empty());
    EXPECT_EQ(peer.cancelled.size(), 3u) << "the peer forgets each";
    EXPECT_TRUE(user.sessions.empty()) << "the session is closed";
  });
  ASSERT_EQ(outcomes.reported_count(), 4u) << "each call sent is reported exactly once";
  size_t interrupted = 0;
  for (const Seen &s : outcomes.reported) {
    if (s.error != kInterrupted) {
      EXPECT_EQ(s.error, "HTTP 503");
      continue;
    }
    ++interrupted;
    EXPECT_GE(s.response_time_us, 100'000u) << "its elapsed time, not 0";
  }
  EXPECT_EQ(interrupted, 3u);
  stats::StatsTable table = stats();
  EXPECT_EQ(table.requests_sent(), 4u);
  EXPECT_EQ(table.total().num_requests(), 4u);
  EXPECT_EQ(table.total().num_failures(), 4u);
  ASSERT_EQ(table.sorted_failures().size(), 2u) << "one row for all the interrupted ones";
  EXPECT_EQ(calls().in_flight(), 0u);
}

TEST_F(CallEngineTest, TheRequestsIntendedStartReachesTheEvent) {
  const uint64_t intended = monotonic_ns() - 5'000'000;  // it should have started 5 ms ago
  on_loop([&] { start(0, intended); });
  on_loop([&] { answer_oldest(""); });
  ASSERT_EQ(outcomes.reported_count(), 1u);
  EXPECT_EQ(outcomes.reported[0].intended_start_ns, intended);
  EXPECT_EQ(outcomes.delivered[0].intended_start_ns, intended);
}

TEST_F(CallEngineTest, ADeferredReportIsTheScenariosUnlessNobodyWillMakeIt) {
  on_loop([&] {
    start(0, 0, LH_REQUEST_DEFER_REPORT);
    answer_oldest("");
  });
  EXPECT_EQ(outcomes.delivered_count(), 1u);
  EXPECT_EQ(outcomes.reported_count(), 0u) << "the scenario reports it (catch_response)";
  on_loop([&] {
    start(0, 0, LH_REQUEST_DEFER_REPORT);
    // Its user is killed (never resumed again) and the test ends: no done
    // runs, so the scenario cannot report it. (Destroying the user is the
    // runtime's business, not this test's.)
    user.state = UserState::killed;
    user.destroy_posted = true;
    calls().interrupt_session(Session::from(session));
    session = nullptr;
  });
  EXPECT_EQ(outcomes.delivered_count(), 1u);
  ASSERT_EQ(outcomes.reported_count(), 1u) << "the host makes the report nobody else can";
  EXPECT_EQ(outcomes.reported[0].error, kInterrupted);
}

TEST_F(CallEngineTest, AnAnswerOnlyTheScenarioCouldJudgeIsNotCountedOnceItsUserIsGone) {
  on_loop([&] {
    start(0, 0, LH_REQUEST_DEFER_REPORT);
    // The user is killed at the stop; then the answer comes: an error the
    // scenario's catch_response might have called a success.
    user.state = UserState::killed;
    user.destroy_posted = true;  // destroying it is the runtime's business, not this test's
    answer_oldest("25P02: current transaction is aborted");
  });
  EXPECT_EQ(outcomes.delivered_count(), 0u);
  EXPECT_EQ(outcomes.reported_count(), 0u) << "not the protocol's verdict: the scenario's, which never came";
  stats::StatsTable table = stats();
  EXPECT_EQ(table.requests_sent(), 0u) << "taken back, so sent still equals the requests counted";
  EXPECT_EQ(table.total().num_requests(), 0u);
}

TEST_F(CallEngineTest, SentEqualsResultsOverAMixOfEndings) {
  on_loop([&] {
    for (int i = 0; i < 10; ++i) start();
    start(/*timeout_us=*/20'000);
    g_host->call_cancel(start());  // withdrawn
  });
  on_loop([&] {
    for (int i = 0; i < 6; ++i) answer_oldest("");
    for (int i = 0; i < 2; ++i) answer_oldest("HTTP 500");
  });
  ASSERT_TRUE(wait_for([&] { return outcomes.reported_count(); }, 9)) << "the timed-out one";
  on_loop([&] {
    calls().interrupt_session(Session::from(session));  // the 2 still held
    session = nullptr;
  });
  stats::StatsTable table = stats();
  EXPECT_EQ(table.requests_sent(), 11u);
  EXPECT_EQ(table.total().num_requests(), table.requests_sent());
  EXPECT_EQ(table.total().num_failures(), 2u + 1u + 2u);
}

}  // namespace
}  // namespace loadhost::core
