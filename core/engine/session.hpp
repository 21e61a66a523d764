// Session and Call: the host's records of a user's protocol session and of
// one request in flight on it. CallEngine (call_engine.hpp) drives them.
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
  bool ended_by_host = false;    // a timeout or the stop's interruption, not an answer
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

}  // namespace loadhost::core
