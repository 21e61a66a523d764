// One user's MQTT session on Paho's async client (the default engine): a
// Paho client and the calls in flight on it. The operations are
// MqttSession's (mqtt_session.hpp).
//
// Threads. Everything here runs on the session's loop thread; Paho's threads
// only reach the Mailbox, and the loop drains it when woken. No loop thread
// ever waits on Paho.
//
// Lifetime. The destructor closes the Mailbox, destroys the waker, and hands
// the Paho client (with its last connect or disconnect token) to the
// plugin's Reaper: disconnecting is not the loop's job, and the Reaper waits
// until the client is quiet before destroying it.
#pragma once

#include <mqtt/async_client.h>

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loadhost/protocol.h"
#include "delivery.hpp"
#include "mailbox.hpp"
#include "mqtt_session.hpp"
#include "plugin_state.hpp"
#include "settings.hpp"

namespace loadhost::mqtt_plugin {

class PahoSession final : public MqttSession {
 public:
  // [loop-thread] Null with a one-line `error` when no waker can be made.
  static std::unique_ptr<MqttSession> create(PluginState &plugin, const lh_session_config &config,
                                             BrokerAddress broker, ConnectSettings settings, std::string &error);
  ~PahoSession() override;
  void cancel(lh_call *call) override;

 private:
  enum class Op { connect, publish, subscribe, unsubscribe, disconnect };
  enum class State { idle, connecting, connected, disconnecting };
  // A Paho operation in flight. `call` is null once the host cancelled it:
  // the entry stays until Paho answers, for the state change.
  struct Pending {
    uint64_t id;
    Op op;
    lh_call *call;
    uint64_t bytes_sent;
  };
  PahoSession(PluginState &plugin, const lh_session_config &config, BrokerAddress broker, ConnectSettings settings);

  void start_connect(lh_call *call, const lh_request &request) override;
  void start_publish(lh_call *call, const lh_request &request) override;
  void start_subscribe(lh_call *call, const lh_request &request, bool subscribe) override;
  void start_disconnect(lh_call *call) override;
  void start_receive(lh_call *call) override;
  bool connected() const override { return state_ == State::connected; }
  uint64_t track(Op op, lh_call *call, uint64_t bytes_sent);

  static void on_wake(void *self) { static_cast<PahoSession *>(self)->drain(); }
  void drain();
  void operation_done(uint64_t op_id, const std::string *failure);
  void message_arrived(const Event &event);
  void connection_lost(const std::string &cause);

  std::shared_ptr<Mailbox> mailbox_;
  std::unique_ptr<mqtt::async_client> client_;  // made by the first connect
  // The last connect or disconnect: the Reaper destroys the client only once
  // it is complete (reaper.hpp).
  mqtt::token_ptr control_;
  State state_ = State::idle;
  uint64_t next_op_ = 1;
  std::vector<Pending> pending_;
  std::vector<Event> batch_;  // drain's buffer, kept for its capacity
};

}  // namespace loadhost::mqtt_plugin
