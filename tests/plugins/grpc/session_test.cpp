// Sessions and calls against the real gRPC test server, with the test
// playing the host: a scripted loop whose wakers the test thread runs. It
// checks what the ABI promises: completion on the loop thread, each stream
// message reported, cancelled calls never completed, no wake after
// waker_destroy, and deinit (PluginState going) joining promptly with calls
// and reflection fetches abandoned in flight.
#include "grpc/session.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "grpc/plugin_state.hpp"
#include "support/grpc_test_server/grpc_test_server.hpp"

namespace loadhost::grpc_plugin {
namespace {

using namespace std::chrono_literals;
using test::GrpcTestServer;

std::string text(lh_str s) { return s.data ? std::string(s.data, s.size) : std::string(); }
lh_str str(std::string_view s) { return {s.data(), s.size()}; }

struct Completion {
  lh_call* call;
  int64_t status;
  std::string error;
  std::string body;
  std::map<std::string, std::string> metadata;
};

struct Event {
  std::string type, name;
  uint64_t bytes;
};

struct FakeHost;
FakeHost* g_fake = nullptr;

struct FakeHost {
  struct Waker {
    lh_task_fn fn;
    void* ud;
    bool scheduled = false;
    bool destroyed = false;
  };

  lh_host host{};
  int loop_object = 0;
  lh_loop* loop = reinterpret_cast<lh_loop*>(&loop_object);
  std::thread::id loop_thread = std::this_thread::get_id();
  std::map<std::string, std::string> options;

  std::mutex mutex;  // wakers are woken from the plugin's threads
  std::condition_variable woken;
  std::vector<std::unique_ptr<Waker>> wakers;
  int wakes_after_destroy = 0;
  int off_loop_calls = 0;

  std::vector<Completion> done;
  std::vector<Event> events;

  FakeHost() {
    g_fake = this;
    host.abi = {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR};
    host.now_ns = [](const lh_host*) {
      return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count());
    };
    host.option = [](const lh_host*, const char* name) -> lh_str {
      auto it = g_fake->options.find(name);
      return it == g_fake->options.end() ? lh_str{nullptr, 0} : str(it->second);
    };
    host.waker_create = [](lh_loop*, lh_task_fn fn, void* ud) -> lh_waker* {
      g_fake->check_loop_thread();
      std::lock_guard lock(g_fake->mutex);
      g_fake->wakers.push_back(std::make_unique<Waker>(Waker{fn, ud}));
      return reinterpret_cast<lh_waker*>(g_fake->wakers.back().get());
    };
    host.waker_wake = [](lh_waker* w) {
      std::lock_guard lock(g_fake->mutex);
      auto* waker = reinterpret_cast<Waker*>(w);
      if (waker->destroyed) ++g_fake->wakes_after_destroy;
      waker->scheduled = true;
      g_fake->woken.notify_all();
    };
    host.waker_destroy = [](lh_waker* w) {
      g_fake->check_loop_thread();
      std::lock_guard lock(g_fake->mutex);
      reinterpret_cast<Waker*>(w)->destroyed = true;
    };
    host.call_complete = [](lh_call* call, const lh_response* r) {
      g_fake->check_loop_thread();
      Completion c{call, r->status, text(r->error), text(r->body), {}};
      for (size_t i = 0; i < r->metadata_count; ++i)
        c.metadata[text(r->metadata[i].key)] = text(r->metadata[i].value);
      g_fake->done.push_back(std::move(c));
    };
    host.report = [](lh_loop*, const lh_request_event* e) {
      g_fake->check_loop_thread();
      g_fake->events.push_back(Event{text(e->type), text(e->name), e->bytes_received});
    };
  }

  void check_loop_thread() {
    if (std::this_thread::get_id() != loop_thread) ++off_loop_calls;
  }

  // Runs the loop: the woken wakers' functions, on this thread, until `done`
  // holds or `limit` passes.
  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      std::vector<Waker*> due;
      {
        std::unique_lock lock(mutex);
        if (!woken.wait_until(lock, deadline, [&] {
              for (auto& w : wakers)
                if (w->scheduled && !w->destroyed) return true;
              return false;
            }))
          return pred();
        for (auto& w : wakers)
          if (w->scheduled && !w->destroyed) {
            w->scheduled = false;
            due.push_back(w.get());
          }
      }
      for (Waker* w : due) w->fn(w->ud);
    }
    return true;
  }
  void run_for(std::chrono::milliseconds time) {
    run_until([] { return false; }, time);
  }
};

struct Request {
  std::string target, body;
  std::string operation = "grpc";
  uint64_t timeout_us = 0;
  std::vector<lh_kv> metadata;
  lh_request get() const {
    lh_request r{};
    r.size = sizeof(r);
    r.operation = str(operation);
    r.target = str(target);
    r.body = str(body);
    r.metadata = metadata.data();
    r.metadata_count = metadata.size();
    r.timeout_us = timeout_us;
    return r;
  }
};

Request req(std::string target, std::string body = {}, std::string operation = "grpc", uint64_t timeout_us = 0) {
  return Request{std::move(target), std::move(body), std::move(operation), timeout_us, {}};
}

// Threads of this process other than the test's own (the plugin's pump
// threads, gRPC's pollers, timers and executors), by name.
std::vector<std::string> other_threads() {
  std::vector<std::string> names;
  const std::string self = std::to_string(::gettid());
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    names.push_back(name);
  }
  return names;
}

lh_call* call_handle(uintptr_t n) { return reinterpret_cast<lh_call*>(n); }

class GrpcSession : public ::testing::Test {
 protected:
  std::unique_ptr<Session> open(std::string url, std::vector<std::pair<std::string, std::string>> options = {}) {
    std::vector<lh_kv> kv;
    for (auto& [k, v] : options) kv.push_back({str(k), str(v)});
    lh_session_config config{};
    config.size = sizeof(config);
    config.loop = fake.loop;
    config.base_url = str(url);
    config.options = kv.data();
    config.option_count = kv.size();
    config.user_class = str("TestUser");
    std::string error;
    std::unique_ptr<Session> s = Session::create(*state, config, error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  std::unique_ptr<Session> open_with_proto() { return open(server.url(), {{"proto", GrpcTestServer::proto_path()}}); }

  void start(Session& s, uintptr_t id, const Request& r) {
    lh_request request = r.get();
    s.start(call_handle(id), request);
  }

  // Deinit: must join the plugin's threads promptly, whatever was left.
  void deinit_within(std::chrono::milliseconds limit) {
    auto started = std::chrono::steady_clock::now();
    state.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - started, limit);
  }

  void TearDown() override {
    if (state) deinit_within(5s);
    EXPECT_EQ(fake.off_loop_calls, 0) << "loop-thread functions called from another thread";
    EXPECT_EQ(fake.wakes_after_destroy, 0) << "a waker was woken after waker_destroy";
  }

  GrpcTestServer server;
  FakeHost fake;
  std::unique_ptr<PluginState> state = std::make_unique<PluginState>(&fake.host);
};

TEST_F(GrpcSession, UnaryCompletesOnTheLoopThreadWithBodyAndMetadata) {
  auto s = open_with_proto();
  Request r = req("loadhost.test.Echo/Unary", R"({"message":"hi"})");
  r.metadata.push_back({str("X-Echo"), str("abc")});
  start(*s, 1, r);
  ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == 1; }));
  const Completion& c = fake.done[0];
  EXPECT_EQ(c.call, call_handle(1));
  EXPECT_EQ(c.status, 0);
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.body, R"({"message":"hi","metadata_echo":"abc"})");
  EXPECT_EQ(c.metadata.at("x-echo"), "abc");
  EXPECT_TRUE(fake.events.empty()) << "the host reports the call itself";
}

TEST_F(GrpcSession, EachStreamedMessageIsReported) {
  auto s = open_with_proto();
  start(*s, 1, req("loadhost.test.Echo/ServerStream", R"({"message":"m","count":4})"));
  start(*s, 2, req("loadhost.test.Echo/Bidi", R"([{"message":"a"},{"message":"b"}])"));
  ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == 2; }));
  std::map<std::string, int> messages;
  for (const Event& e : fake.events) {
    EXPECT_EQ(e.type, "grpc-message");
    EXPECT_GT(e.bytes, 0u);
    ++messages[e.name];
  }
  EXPECT_EQ(messages["loadhost.test.Echo/ServerStream"], 4);
  EXPECT_EQ(messages["loadhost.test.Echo/Bidi"], 2);
  for (const Completion& c : fake.done) {
    EXPECT_EQ(c.status, 0) << c.error;
    const char* last = c.call == call_handle(1) ? R"("message":"m 3")" : R"("message":"b")";
    EXPECT_NE(c.body.find(last), std::string::npos) << c.body;
  }
}

TEST_F(GrpcSession, BadRequestsCompleteAtOnceWithTheirReason) {
  auto s = open_with_proto();
  start(*s, 1, req("loadhost.test.Echo/Unary", "", "GET"));
  start(*s, 2, req("loadhost.test.Echo/Nope"));
  start(*s, 3, req("loadhost.test.Echo/Bidi", "", "unary"));
  Request bad_key = req("loadhost.test.Echo/Unary");
  bad_key.metadata.push_back({str("bad key"), str("v")});
  start(*s, 4, bad_key);
  start(*s, 5, req("loadhost.test.Echo/ClientStream", "[{"));
  ASSERT_EQ(fake.done.size(), 5u) << "completed inside call_start";
  EXPECT_EQ(fake.done[0].error.rfind("INVALID_ARGUMENT: unknown operation 'GET'", 0), 0u) << fake.done[0].error;
  EXPECT_EQ(fake.done[1].error, "NOT_FOUND: service loadhost.test.Echo has no method Nope");
  EXPECT_EQ(fake.done[2].error, "INVALID_ARGUMENT: loadhost.test.Echo/Bidi is a bidi method, not unary");
  EXPECT_EQ(fake.done[3].error.rfind("INVALID_ARGUMENT: metadata key 'bad key'", 0), 0u) << fake.done[3].error;
  EXPECT_EQ(fake.done[4].error.rfind("INVALID_ARGUMENT: the request messages: ", 0), 0u) << fake.done[4].error;
  EXPECT_EQ(fake.done[2].status, 3);
}

TEST_F(GrpcSession, DeadlineFromTheRequestTimeout) {
  auto s = open_with_proto();
  start(*s, 1, req("loadhost.test.Echo/Slow", R"({"millis":3000})", "grpc", 100'000));
  ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == 1; }, 2000ms));
  EXPECT_EQ(fake.done[0].status, 4);
  EXPECT_EQ(fake.done[0].error, "DEADLINE_EXCEEDED: Deadline Exceeded");
}

TEST_F(GrpcSession, ReflectionWhenNoProtoIsGiven) {
  auto s = open(server.url());
  // Two calls before the fetch is back: both wait for the one fetch.
  start(*s, 1, req("loadhost.test.Echo/Unary", R"({"message":"r1"})"));
  start(*s, 2, req("loadhost.test.Echo/Unary", R"({"message":"r2"})"));
  ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == 2; }));
  for (const Completion& c : fake.done)  // in either order: both were in flight
    EXPECT_EQ(c.body, c.call == call_handle(1) ? R"({"message":"r1"})" : R"({"message":"r2"})");
  start(*s, 3, req("loadhost.test.Echo/Unary"));  // the schema is known now
  ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == 3; }));
  EXPECT_EQ(fake.done[2].status, 0) << fake.done[2].error;
}

TEST_F(GrpcSession, CancelledCallsNeverCompleteAndDeinitJoinsPromptly) {
  auto s = open_with_proto();
  start(*s, 1, req("loadhost.test.Echo/Slow", R"({"millis":5000})"));
  start(*s, 2, req("loadhost.test.Echo/ServerStream", R"({"count":1000000})"));
  fake.run_for(200ms);  // the stream is flowing
  EXPECT_GT(fake.events.size(), 0u);
  // As the host does: cancel what is in flight, then destroy the session.
  s->cancel(call_handle(1));
  s->cancel(call_handle(2));
  s.reset();
  EXPECT_TRUE(fake.done.empty()) << "a cancelled call was completed";
  EXPECT_FALSE(other_threads().empty());
  deinit_within(2s);
  // deinit joined the pump threads and shut gRPC down: nothing of the
  // plugin's or gRPC's runs any more (gRPC's detached shutdown thread may
  // take a moment to finish returning).
  std::vector<std::string> left = other_threads();
  for (int i = 0; i < 100 && !left.empty(); ++i) {
    std::this_thread::sleep_for(1ms);
    left = other_threads();
  }
  EXPECT_TRUE(left.empty()) << left.size() << " threads left, the first: " << left.front();
}

TEST_F(GrpcSession, ReflectionFetchAbandonedInFlight) {
  auto s = open(server.url());
  start(*s, 1, req("loadhost.test.Echo/Unary"));
  s->cancel(call_handle(1));  // before the fetch is back
  s.reset();
  EXPECT_TRUE(fake.done.empty());
  deinit_within(2s);
}

TEST_F(GrpcSession, SessionsComeAndGoOnALoop) {
  for (int round = 0; round < 3; ++round) {
    auto s = open_with_proto();
    start(*s, 1, req("loadhost.test.Echo/Unary"));
    ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == size_t(round + 1); }));
    start(*s, 2, req("loadhost.test.Echo/Slow", R"({"millis":5000})"));
    s->cancel(call_handle(2));
  }
  EXPECT_EQ(fake.done.size(), 3u);
}

TEST_F(GrpcSession, UnreachableServerIsUnavailable) {
  auto s = open("grpc://127.0.0.1:1", {{"proto", GrpcTestServer::proto_path()}});
  start(*s, 1, req("loadhost.test.Echo/Unary"));
  ASSERT_TRUE(fake.run_until([&] { return fake.done.size() == 1; }));
  EXPECT_EQ(fake.done[0].status, 14);
  EXPECT_EQ(fake.done[0].error.rfind("UNAVAILABLE: ", 0), 0u) << fake.done[0].error;
}

TEST_F(GrpcSession, UnknownSessionOptionsAreRefused) {
  lh_kv kv{str("protoo"), str("x")};
  lh_session_config config{};
  config.size = sizeof(config);
  config.loop = fake.loop;
  config.base_url = str(server.url());
  config.options = &kv;
  config.option_count = 1;
  std::string error;
  EXPECT_FALSE(Session::create(*state, config, error));
  EXPECT_EQ(error.rfind("grpc: unknown session option 'protoo'", 0), 0u) << error;
}

}  // namespace
}  // namespace loadhost::grpc_plugin
