// Session and Call: the host's side of the generic request path.
//
//   scenario -> host call_start -> protocol call_start -> ... I/O ...
//   protocol -> host call_complete -> event stamped, reported
//            -> scenario's done callback
//
// The host owns every Call, enforces its timeout (CallTimeouts) and keeps
// calls pooled per loop, so the steady state allocates nothing.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/abi_objects.hpp"
#include "core/engine/call_timeouts.hpp"

namespace loadhost::core {

class Loop;
class User;
struct ProtocolPlugin;

using SessionCallHook = boost::intrusive::list_base_hook<
    boost::intrusive::tag<struct SessionCallTag>,
    boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class Call : public lh_call, public Timed, public SessionCallHook {
 public:
  static Call &from(lh_call *c) { return *static_cast<Call *>(c); }

  class Session *session = nullptr;
  lh_call_done_fn done = nullptr;
  void *ud = nullptr;
  uint64_t start_ns = 0;
  uint64_t intended_start_ns = 0;
  uint64_t timeout_ns = 0;
  uint32_t flags = 0;
  std::string type;  // kept capacity: no allocation once warmed up
  std::string name;
  uint64_t generation = 0;       // bumped on release: stale posts ignore it
  bool in_plugin_start = false;  // completion now must be deferred
  bool forwarded = false;        // the plugin holds it (needs call_cancel)
  bool parked = false;           // started on a killed user: never forwarded
  // A completion that arrived inside the plugin's call_start, kept until it
  // can be delivered from a fresh stack.
  bool has_early_result = false;
  int64_t early_status = 0;
  uint32_t early_flags = 0;  // LH_RESPONSE_*
  std::string early_error;
  bool early_error_set = false;
  // A failed connect whose result is held back (connect_backoff.hpp): the
  // event is reported, the scenario gets the result when the timer fires.
  bool pacing = false;
  lh_request_event paced_event{};  // as reported; its error is early_error
  std::unique_ptr<boost::asio::steady_timer> pace_timer;  // made on first use
};

class Session : public lh_session,
                public boost::intrusive::list_base_hook<
                    boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  static Session &from(lh_session *s) { return *static_cast<Session *>(s); }

  Loop *loop = nullptr;
  User *user = nullptr;
  const lh_protocol *protocol = nullptr;
  void *plugin_session = nullptr;
  uint64_t default_timeout_ns = 0;
  boost::intrusive::list<Call, boost::intrusive::base_hook<SessionCallHook>,
                         boost::intrusive::constant_time_size<false>>
      calls;
};

// Per-loop call machinery: the pool, starting, completing, timing out.
class CallEngine {
 public:
  explicit CallEngine(Loop &loop);
  ~CallEngine();

  lh_session *open_session(User &user, std::string_view protocol, std::string_view base_url,
                           const lh_kv *options, size_t option_count, lh_str *error);
  void close_session(Session &session);

  lh_call *start(Session &session, const lh_request &request, lh_call_done_fn done, void *ud);
  void complete(Call &call, const lh_response &response);
  void cancel(Call &call);  // by the scenario: no done, no report
  // Hands the user its held-back connect failures now (it is being killed:
  // nothing of it will run again, so nothing is paced).
  void end_pacing(User &user);
  // Gives up on every call of the session still in flight, reporting each as
  // a failure with `why` (the test ended without their result: they were
  // sent or attempted, so they count), then closes the session.
  void abandon_session(Session &session, std::string_view why);

  // Called by the loop's sweep timer.
  void expire_timeouts(uint64_t now_ns);
  size_t in_flight() const { return in_flight_; }

 private:
  Call &acquire();
  void release(Call &call);
  void finish(Call &call, const lh_response &response);
  // The end of finish: the call leaves the books, the scenario gets it.
  void deliver(Call &call, const lh_response &response, const lh_request_event &event);
  void deliver_early(Call &call);
  // Counts a failed connect of the user, or clears the count; returns how
  // long its result is held back.
  uint64_t connect_pause(User &user, const lh_response &response);
  void hold_back(Call &call, const lh_response &response, const lh_request_event &event, uint64_t pause_ns);
  void deliver_paced(Call &call);

  Loop &loop_;
  std::vector<std::unique_ptr<Call>> pool_storage_;
  std::vector<Call *> free_;
  size_t in_flight_ = 0;
};

}  // namespace loadhost::core
