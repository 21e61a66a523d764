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
  // By the scenario: no done, no report, and the call no longer counts as
  // sent (it owes the stats no result).
  void cancel(Call &call);
  // Hands the user its held-back connect failures now (it is being killed:
  // nothing of it will run again, so nothing is paced).
  void end_pacing(User &user);
  // The test ended with the session's calls still in flight: each call sent
  // is reported as the failure "interrupted: no response before the test
  // stopped" with its elapsed time as response time (one answered inside
  // call_start is reported with its answer), then the session is closed.
  // So every call sent ends as exactly one success or failure.
  void interrupt_session(Session &session);

  // Called by the loop's sweep timer.
  void expire_timeouts(uint64_t now_ns);
  size_t in_flight() const { return in_flight_; }

 private:
  Call &acquire();
  void release(Call &call);
  // Takes the call out of flight without a report (parked, reported already,
  // or withdrawn by cancel).
  void drop(Call &call);
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
