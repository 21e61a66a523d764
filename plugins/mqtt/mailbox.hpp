// Where Paho's threads leave what happened to one session, for its loop.
//
// Threads. Paho completes tokens and delivers messages on threads of its own.
// Each callback only pushes an Event here and, when the queue was empty,
// wakes the session's loop (lh_host.waker_wake; wakes coalesce, so one wake
// carries every event pushed before the loop drains). The loop thread takes
// the whole batch (take) and does everything else: nothing here touches a
// call, the stats or the session.
//
// Lifetime. Owned by a shared_ptr: the Session holds one, and when the
// session goes, the Reaper holds it until its Paho client is destroyed, so a
// late Paho callback always finds a live Mailbox. close() (on the loop, in
// the session's destructor) detaches the waker first: from then on events
// are dropped and no wake can race with waker_destroy.
#pragma once

#include <mqtt/async_client.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "loadhost/host.h"

namespace loadhost::mqtt_plugin {

struct Event {
  enum class Kind { succeeded, failed, message, connection_lost };
  Kind kind;
  uint64_t op_id = 0;             // succeeded, failed: the operation (token user context)
  std::string text;               // failed: the reason; connection_lost: Paho's cause
  mqtt::const_message_ptr message;  // message
  uint64_t at_ns = 0;             // message: lh_host.now_ns when Paho handed it over
};

// One line for a failed Paho operation: its return code and MQTT 5 reason.
std::string failure_text(int rc, int reason);

// The SUBACK return code of a refused subscription (MQTT 3.1.1: 0x80).
constexpr int kSubackFailure = 0x80;
// True for a SUBACK return code that refuses the subscription: 0x80 (or any
// code >= 0x80, MQTT 5's reasons), also as Paho C 1.3 passes it, sign-extended
// from a char (-128).
constexpr bool suback_refused(int code) { return code < 0 ? code >= -128 : code >= 0x80 && code <= 0xff; }

class Mailbox : public mqtt::iaction_listener {
 public:
  Mailbox(const lh_host *host, lh_waker *waker) : host_(host), waker_(waker) {}

  // [any thread] Queues an event and wakes the loop; dropped once closed.
  void push(Event event);
  // [loop-thread] Has the loop drain soon (never inside this call).
  void wake();
  // [loop-thread] Everything queued so far (swapped into `out`).
  void take(std::vector<Event> &out);
  // [loop-thread] Stops waking the loop; returns the waker for the caller
  // to destroy.
  lh_waker *close();

  // The context a Paho operation carries back to on_success / on_failure.
  static void *context(uint64_t op_id) { return reinterpret_cast<void *>(uintptr_t(op_id)); }

 private:
  // mqtt::iaction_listener, on Paho's threads.
  void on_success(const mqtt::token &token) override;
  void on_failure(const mqtt::token &token) override;

  const lh_host *host_;
  std::mutex mutex_;  // guards events_ and waker_
  std::vector<Event> events_;
  lh_waker *waker_;  // null once closed
};

}  // namespace loadhost::mqtt_plugin
