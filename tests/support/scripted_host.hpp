// A scripted host for unit tests of protocol sessions that use the host's
// transport (http1, http2): the test plays the host's connections and timers
// and the server on the other end, with no loop and no network. Connections
// record what the plugin wrote; the test connects, delivers bytes, closes;
// timers fire when the test turns the loop (run_timers); completions are
// recorded (or, with record = false, only counted: no allocation in the
// fake, for the allocation checks).
//
// One ScriptedHost at a time (the C callbacks find it through `current`).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadhost/call.h"
#include "loadhost/host.h"

namespace loadhost::test {

std::string text(lh_str s);
lh_str str(std::string_view s);

// A distinct lh_call* per small integer (never dereferenced by a plugin).
lh_call *call_id(int i);

// A request as a session's call_start receives it; get() points into this
// object, which must outlive the call_start.
struct Req {
  std::string method = "GET";
  std::string target = "/";
  std::vector<lh_kv> headers = {};
  std::string body = {};
  uint32_t flags = 0;

  lh_request get() const {
    lh_request r{};
    r.size = sizeof r;
    r.flags = flags;
    r.operation = str(method);
    r.target = str(target);
    r.metadata = headers.data();
    r.metadata_count = headers.size();
    r.body = str(body);
    return r;
  }
};

struct FakeConn {
  std::string host;
  uint16_t port = 0;
  bool tls = false;
  bool tls_verify = false;
  bool sni_absent = true;
  std::string sni;
  std::string alpn;
  const lh_conn_callbacks *callbacks = nullptr;
  void *ud = nullptr;
  std::string written;  // every byte the plugin wrote, not yet taken
  size_t writes = 0;    // conn_write calls
  bool closed_by_plugin = false;
  bool gone = false;  // closed by either side: no callback may use it

  lh_conn *handle() { return reinterpret_cast<lh_conn *>(this); }
};

// A timer of the fake loop: armed timers run when the test turns the loop.
struct FakeTimer {
  lh_task_fn fn = nullptr;
  void *ud = nullptr;
  bool armed = false;
  bool destroyed = false;
  uint64_t delay_us = 0;  // of the last arm
};

// A request event the plugin reported (lh_host.report).
struct ReportedEvent {
  std::string type;
  std::string name;
  bool failed = false;
};

struct Completion {
  lh_call *call = nullptr;
  int64_t status = 0;
  bool has_error = false;
  std::string error;
  std::string body;
  std::string url;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const;  // first of that name, or ""
};

struct ScriptedHost {
  ScriptedHost();
  ~ScriptedHost();
  ScriptedHost(const ScriptedHost &) = delete;
  ScriptedHost &operator=(const ScriptedHost &) = delete;

  lh_host host{};
  std::vector<std::unique_ptr<FakeConn>> conns;
  std::vector<std::unique_ptr<FakeTimer>> timers;
  std::map<std::string, std::string> options;  // run options (lh_host.option)
  std::vector<Completion> done;
  std::vector<ReportedEvent> events;
  uint64_t now_ns = 1'000'000'000;  // lh_host.now_ns; the test moves it
  bool record = true;  // false: only count
  size_t completions = 0;
  int64_t last_status = 0;

  // The end of the loop turn: armed timers fire (once each).
  void run_timers();
  // Fires the armed timers whose last delay was `delay_us` (0: "soon").
  void fire(uint64_t delay_us);

  // ---- the network's side -------------------------------------------------
  void connect(FakeConn &c, std::string_view alpn = {});
  void refuse(FakeConn &c, std::string_view why);
  void deliver(FakeConn &c, std::string_view bytes);
  void peer_close(FakeConn &c, lh_str error = {nullptr, 0});
  FakeConn &conn(size_t i) { return *conns.at(i); }

  static ScriptedHost *current;
};

}  // namespace loadhost::test
