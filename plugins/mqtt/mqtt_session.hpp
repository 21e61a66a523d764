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

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "delivery.hpp"
#include "loadhost/protocol.h"
#include "plugin_state.hpp"
#include "settings.hpp"

namespace loadhost::mqtt_plugin {

class MqttSession {
 public:
  // [loop-thread] Reads the base URL and the session options (plus the run
  // options --insecure and --mqtt-engine) and makes a session of the engine
  // they pick. Null with a one-line `error` for a bad URL or option.
  static std::unique_ptr<MqttSession> create(PluginState &plugin, const lh_session_config &config,
                                             std::string &error);
  virtual ~MqttSession() = default;
  MqttSession(const MqttSession &) = delete;
  MqttSession &operator=(const MqttSession &) = delete;

  // lh_protocol.call_start: the operation picks the engine's start_*; an
  // unknown one fails at once.
  void start(lh_call *call, const lh_request &request);
  // lh_protocol.call_cancel.
  virtual void cancel(lh_call *call) = 0;
  // Completes `call` at once with `error` (start threw; the call is not
  // tracked anywhere yet).
  void fail(lh_call *call, std::string_view error) { complete(call, error); }

 protected:
  MqttSession(PluginState &plugin, const lh_session_config &config, BrokerAddress broker, ConnectSettings settings);

  virtual void start_connect(lh_call *call, const lh_request &request) = 0;
  virtual void start_publish(lh_call *call, const lh_request &request) = 0;
  virtual void start_subscribe(lh_call *call, const lh_request &request, bool subscribe) = 0;
  virtual void start_disconnect(lh_call *call) = 0;
  virtual void start_receive(lh_call *call) = 0;
  virtual bool connected() const = 0;

  // `flags`: LH_RESPONSE_* (LH_RESPONSE_NOT_CONNECTED for a broker that
  // could not be reached).
  void complete(lh_call *call, std::string_view error, uint64_t bytes_sent = 0, uint32_t flags = 0);
  // The session's connect settings with this connect's metadata applied and
  // a client id chosen; null after failing `call` on a bad key or value.
  std::optional<ConnectSettings> connect_settings(lh_call *call, const lh_request &request);
  // A publish's or subscribe's metadata (qos, retain, timestamp); null after
  // failing `call` on a bad key or value.
  std::optional<MessageSettings> message_settings(lh_call *call, const lh_request &request);
  // True when connected; else fails `call` with "<operation> while not connected".
  bool require_connected(lh_call *call, std::string_view operation);

  PluginState &plugin_;
  const lh_host *host_;
  lh_loop *loop_;
  BrokerAddress broker_;
  ConnectSettings settings_;  // from the session options
  std::string user_class_;
  size_t inbox_limit_;
  std::deque<lh_call *> receivers_;  // "receive" calls waiting, oldest first
  std::deque<Received> inbox_;       // messages no receive has taken yet
};

}  // namespace loadhost::mqtt_plugin
