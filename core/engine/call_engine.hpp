// CallEngine: the host's side of the generic request path, one per loop.
//
//   scenario -> host call_start -> protocol call_start -> ... I/O ...
//   protocol -> host call_complete -> event stamped, reported
//            -> scenario's done callback
//
// The host owns every Call, enforces its timeout (CallTimeouts) and keeps
// calls pooled per loop, so the steady state allocates nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/session.hpp"

namespace loadhost::core {

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
