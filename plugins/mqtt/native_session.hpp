// One user's MQTT session on the native engine: MQTT 3.1.1 written here
// (codec.hpp) on one host-owned connection (lh_host.conn_*: TCP or TLS by
// the host), with the loop's timers for keep-alive. The operations are
// MqttSession's (mqtt_session.hpp).
//
// Why: Paho C runs every client of a process through one receive thread
// whose work per packet grows with the number of clients (see "Figures" in
// docs/plugins/mqtt.md). Here a packet costs O(1) whatever the client
// count, and everything runs on the user's loop thread: no thread, no lock,
// no waker.
//
// The state machine:
//   idle --connect--> connecting (conn_open; CONNECT queued at once, the
//     host sends it once connected) --CONNACK 0--> connected
//   connecting --CONNACK refusal / closed / bad packet--> idle (connect fails)
//   connected --disconnect--> closing (DISCONNECT written; the broker closes,
//     or we close after kLinger) --> idle
//   connected --closed / bad packet / no PINGRESP--> idle: every call in
//     flight fails with one "mqtt: connection lost: ..." line
// Completions: connect on CONNACK; QoS 0 publish and disconnect once written
// (delivered from the `soon_` timer, never inside call_start, so the
// response keeps its byte count); QoS 1 publish on PUBACK; QoS 2 on PUBCOMP
// (PUBLISH, PUBREC, PUBREL, PUBCOMP); subscribe on SUBACK, unsubscribe on
// UNSUBACK (packet_ids.hpp maps the answers to the calls). Inbound QoS 2 is
// delivered once on PUBLISH, its id kept until PUBREL (3.1.1 4.3.3, method B).
//
// Keep-alive: a PINGREQ every keep-alive period while connected; a PINGRESP
// still missing at the next one is a lost connection. The same timer bounds
// the wait for CONNACK and the linger after DISCONNECT.
//
// Cancel (the host's timeout): the call is forgotten; its packet id stays
// taken until the broker answers. A cancelled connect closes its connection.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec.hpp"
#include "delivery.hpp"
#include "mqtt_session.hpp"
#include "packet_ids.hpp"
#include "settings.hpp"

namespace loadhost::mqtt_plugin {

class NativeSession final : public MqttSession {
 public:
  // How long a DISCONNECT may take to leave before we close the connection
  // ourselves (the broker normally closes it first).
  static constexpr uint64_t kLingerUs = 1'000'000;
  // How long a connect waits for CONNACK when the request has no timeout of
  // its own (Paho's default connect timeout): a broker that accepts TCP and
  // then says nothing must not hold the session forever.
  static constexpr uint64_t kConnackTimeoutUs = 30'000'000;

  // [loop-thread] Null with a one-line `error` (no timer could be made).
  static std::unique_ptr<MqttSession> create(PluginState &plugin, const lh_session_config &config,
                                             BrokerAddress broker, ConnectSettings settings, std::string &error);
  // Closes the connection (a DISCONNECT first when connected) and the
  // timers; no callback runs afterwards.
  ~NativeSession() override;
  void cancel(lh_call *call) override;

 private:
  enum class State { idle, connecting, connected, closing };
  // A completion that must not run inside call_start (QoS 0 publish,
  // disconnect): delivered by the soon_ timer.
  struct Soon {
    lh_call *call;
    uint64_t bytes_sent;
  };

  NativeSession(PluginState &plugin, const lh_session_config &config, BrokerAddress broker,
                ConnectSettings settings);

  void start_connect(lh_call *call, const lh_request &request) override;
  void start_publish(lh_call *call, const lh_request &request) override;
  void start_subscribe(lh_call *call, const lh_request &request, bool subscribe) override;
  void start_disconnect(lh_call *call) override;
  void start_receive(lh_call *call) override;
  bool connected() const override { return state_ == State::connected; }

  // Host connection callbacks (the ABI edge: nothing may throw through).
  static void on_connected_cb(void *ud, lh_conn *conn, lh_str alpn, lh_str error);
  static void on_data_cb(void *ud, const uint8_t *data, size_t size);
  static void on_closed_cb(void *ud, lh_str error);
  static const lh_conn_callbacks kCallbacks;
  static void on_keep_alive_cb(void *ud);
  static void on_soon_cb(void *ud);

  void on_data(std::string_view data);
  // One packet from the broker; false when the connection is gone after it.
  bool on_packet(const codec::Packet &packet);
  void on_connack(const codec::Packet &packet);
  void on_publish(const codec::Packet &packet);
  void on_ack(const codec::Packet &packet);
  void on_keep_alive();
  void on_soon();

  void write_out();  // sends out_ (one conn_write) and clears it
  // The connection is gone or must go: closes it unless the host already
  // did (`host_closed`), fails the connect in flight with
  // "mqtt: connect to URI failed: <why>" and every other call with
  // "mqtt: connection lost: <why>"; back to idle.
  // never_connected: the broker could not be reached (the connect call says so).
  void lose(std::string_view why, bool host_closed, bool never_connected = false);
  // Closes the connection (if any) and resets the per-connection state.
  void drop_connection(bool host_closed);
  void complete_soon(lh_call *call, uint64_t bytes_sent);


  lh_conn *conn_ = nullptr;
  State state_ = State::idle;
  lh_call *connect_call_ = nullptr;  // the connect waiting for CONNACK
  uint64_t connect_bytes_ = 0;
  int keep_alive_s_ = 0;             // of the current connection
  bool ping_outstanding_ = false;
  lh_timer *keep_alive_ = nullptr;   // PINGREQ period; CONNACK deadline; the linger of closing
  uint64_t connack_timeout_us_ = 0;
  lh_timer *soon_ = nullptr;         // delivers soon_calls_ and the inbox
  bool soon_armed_ = false;

  codec::Decoder decoder_;
  PacketIds ids_;
  std::vector<uint16_t> inbound_qos2_;  // QoS 2 ids delivered, waiting for PUBREL
  std::vector<Soon> soon_calls_;
  std::string out_;                  // the packet being encoded, reused
  std::vector<uint8_t> codes_;       // SUBACK return codes, reused
};

}  // namespace loadhost::mqtt_plugin
