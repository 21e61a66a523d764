// What both MQTT engines implement, so the plugin has one descriptor and one
// session type for the host (plugin.cpp), whichever engine a session runs.
//
// Operations (lh_request.operation; metadata keys in settings.hpp):
//   connect      connect to the broker of the base URL (metadata: connect options)
//   publish      target = topic, body = payload; completes on PUBACK (QoS 1),
//                PUBCOMP (QoS 2), or once written (QoS 0)
//   subscribe    target = topic filter (metadata qos)
//   unsubscribe  target = topic filter
//   disconnect   completes once DISCONNECT is written
//   receive      the next message on the session's subscriptions: body =
//                payload, metadata topic / qos / retained
// Every stamped message that arrives is also reported as an "mqtt-delivery"
// event (name = topic, response time = arrival - publish; delivery.hpp).
// A lost connection fails every call in flight with one line
// ("mqtt: connection lost: ..."); the next "connect" starts afresh.
//
// The engines: PahoSession (paho_session.hpp; Paho's threads, a waker) and
// NativeSession (native_session.hpp; the host's connections, the loop
// thread only). Everything here runs on the session's loop thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "loadhost/protocol.h"
#include "plugin_state.hpp"

namespace loadhost::mqtt_plugin {

class MqttSession {
 public:
  // [loop-thread] Reads the base URL and the session options (plus the run
  // options --insecure and --mqtt-engine) and makes a session of the engine
  // they pick. Null with a one-line `error` for a bad URL or option.
  static std::unique_ptr<MqttSession> create(PluginState &plugin, const lh_session_config &config,
                                             std::string &error);
  virtual ~MqttSession() = default;

  // lh_protocol.call_start / call_cancel.
  virtual void start(lh_call *call, const lh_request &request) = 0;
  virtual void cancel(lh_call *call) = 0;
  // Completes `call` at once with `error` (start threw; the call is not
  // tracked anywhere yet).
  virtual void fail(lh_call *call, std::string_view error) = 0;
};

}  // namespace loadhost::mqtt_plugin
