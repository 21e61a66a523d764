#include "native_session.hpp"

#include <algorithm>
#include <utility>

#include "loadhost/kit/str.hpp"
#include "loadhost/kit/url.hpp"
#include "stamp.hpp"

namespace loadhost::mqtt_plugin {

namespace {

using kit::view;
using kit::str;

// The same words as the Paho engine's, for the same situations.
constexpr std::string_view kNoCause = "the broker closed the connection or the network failed";
constexpr std::string_view kNoConnection = "no connection (refused, unreachable, TLS handshake or timeout)";

// SNI carries names only (RFC 6066): an IP literal gets none.
using kit::is_ip_literal;

}  // namespace

const lh_conn_callbacks NativeSession::kCallbacks = {sizeof(lh_conn_callbacks), &NativeSession::on_connected_cb,
                                                     &NativeSession::on_data_cb, &NativeSession::on_closed_cb};

std::unique_ptr<MqttSession> NativeSession::create(PluginState &plugin, const lh_session_config &config,
                                                   BrokerAddress broker, ConnectSettings settings,
                                                   std::string &error) {
  if (!settings.ca_file.empty()) {
    error = "mqtt: ca-file is not supported by the native engine (the host's TLS verifies with the system's "
            "roots); use engine=paho";
    return nullptr;
  }
  auto s = std::unique_ptr<NativeSession>(
      new NativeSession(plugin, config, std::move(broker), std::move(settings)));
  s->keep_alive_ = plugin.host->timer_create(config.loop, &NativeSession::on_keep_alive_cb, s.get());
  s->soon_ = plugin.host->timer_create(config.loop, &NativeSession::on_soon_cb, s.get());
  if (!s->keep_alive_ || !s->soon_) {
    error = "mqtt: could not create the session's timers";
    return nullptr;  // the destructor frees the one that was made
  }
  return s;
}

NativeSession::NativeSession(PluginState &plugin, const lh_session_config &config, BrokerAddress broker,
                             ConnectSettings settings)
    : MqttSession(plugin, config, std::move(broker), std::move(settings)) {}

NativeSession::~NativeSession() {
  // The host cancelled every call first (protocol.h): nothing to complete.
  if (conn_ && state_ == State::connected) {
    // Best effort: a clean end for the broker (no will message) when the
    // connection's write queue is empty, which is the usual case.
    out_.clear();
    codec::encode_disconnect(out_);
    write_out();
  }
  if (conn_) host_->conn_close(conn_);
  if (keep_alive_) host_->timer_destroy(keep_alive_);
  if (soon_) host_->timer_destroy(soon_);
}

// ---- calls ------------------------------------------------------------------

void NativeSession::cancel(lh_call *call) {
  if (call == connect_call_) {
    // A connect the host gave up on: its half-open connection goes too, so
    // the next connect starts clean.
    connect_call_ = nullptr;
    drop_connection(false);
    return;
  }
  ids_.forget(call);
  std::erase(receivers_, call);
  std::erase_if(soon_calls_, [call](const Soon &s) { return s.call == call; });
}

void NativeSession::complete_soon(lh_call *call, uint64_t bytes_sent) {
  soon_calls_.push_back(Soon{call, bytes_sent});
  if (!soon_armed_) {
    soon_armed_ = true;
    host_->timer_arm(soon_, 0);
  }
}

void NativeSession::write_out() {
  host_->conn_write(conn_, reinterpret_cast<const uint8_t *>(out_.data()), out_.size());
  out_.clear();
}

void NativeSession::start_connect(lh_call *call, const lh_request &request) {
  if (state_ == State::connected || state_ == State::connecting) {
    fail(call, state_ == State::connected ? "mqtt: connect while already connected"
                                          : "mqtt: connect while a connect or disconnect is in flight");
    return;
  }
  if (state_ == State::closing) drop_connection(false);  // our DISCONNECT had its chance
  std::optional<ConnectSettings> read = connect_settings(call, request);
  if (!read) return;
  ConnectSettings &settings = *read;
  for (const std::string *s : {&settings.client_id, &settings.username, &settings.password, &settings.will_topic,
                               &settings.will_message})
    if (!codec::fits(*s)) return fail(call, "mqtt: a connect option is longer than 65,535 bytes");

  lh_conn_options options{};
  options.size = sizeof options;
  options.host = str(broker_.host);
  options.port = broker_.port;
  options.tls = broker_.tls;
  options.tls_verify = !settings.insecure;
  options.tls_sni = is_ip_literal(broker_.host) ? lh_str{nullptr, 0} : str(broker_.host);
  options.alpn = {nullptr, 0};
  options.connect_timeout_us = request.timeout_us;
  conn_ = host_->conn_open(loop_, &options, &kCallbacks, this);
  if (!conn_)
    return complete(call, "mqtt: connect to " + broker_.server_uri() + " failed: " + std::string(kNoConnection), 0,
                    LH_RESPONSE_NOT_CONNECTED);

  codec::Connect c;
  c.client_id = settings.client_id;
  c.clean_session = settings.clean_session;
  c.keep_alive_s = uint16_t(settings.keep_alive_s);
  c.username = settings.username;
  c.password = settings.password;
  c.will = {settings.will_topic, settings.will_message, settings.will_qos, settings.will_retain};
  codec::encode_connect(out_, c);
  connect_bytes_ = out_.size();
  write_out();  // the host sends it once connected
  keep_alive_s_ = settings.keep_alive_s;
  connect_call_ = call;
  state_ = State::connecting;
  connack_timeout_us_ = request.timeout_us > 0 ? request.timeout_us : kConnackTimeoutUs;
  host_->timer_arm(keep_alive_, connack_timeout_us_);
}

void NativeSession::start_publish(lh_call *call, const lh_request &request) {
  std::optional<MessageSettings> read = message_settings(call, request);
  if (!read) return;
  const MessageSettings &settings = *read;
  if (!require_connected(call, "publish")) return;
  std::string_view topic = view(request.target);
  if (topic.empty() || !codec::fits(topic) || topic.find_first_of("+#") != std::string_view::npos)
    return fail(call, "mqtt: publish to '" + std::string(topic) +
                          "' failed: a topic is 1 to 65,535 bytes without wildcards (+, #)");
  char stamp[kStampSize];
  std::string_view prefix;
  if (settings.timestamp) {
    write_stamp(host_->now_ns(host_), stamp);
    prefix = std::string_view(stamp, kStampSize);
  }
  uint16_t id = 0;
  if (settings.qos > 0) {
    auto kind = settings.qos == 1 ? PacketIds::Kind::publish1 : PacketIds::Kind::publish2;
    std::optional<uint16_t> got = ids_.add(kind, call, 0);
    if (!got) return fail(call, "mqtt: publish failed: 65,535 messages already in flight on this connection");
    id = *got;
  }
  codec::encode_publish(out_, topic, prefix, view(request.body), settings.qos, settings.retain, false, id);
  uint64_t bytes = out_.size();
  write_out();
  if (settings.qos == 0) complete_soon(call, bytes);
  else ids_.find(id)->bytes_sent = bytes;
}

void NativeSession::start_subscribe(lh_call *call, const lh_request &request, bool subscribe) {
  std::optional<MessageSettings> read = message_settings(call, request);
  if (!read) return;
  const MessageSettings &settings = *read;
  const char *verb = subscribe ? "subscribe" : "unsubscribe";
  if (!require_connected(call, verb)) return;
  std::string_view filter = view(request.target);
  if (filter.empty() || !codec::fits(filter))
    return fail(call, "mqtt: " + std::string(verb) + " '" + std::string(filter) +
                          "' failed: a topic filter is 1 to 65,535 bytes");
  auto kind = subscribe ? PacketIds::Kind::subscribe : PacketIds::Kind::unsubscribe;
  std::optional<uint16_t> id = ids_.add(kind, call, 0);
  if (!id) return fail(call, "mqtt: " + std::string(verb) + " failed: 65,535 requests already in flight");
  if (subscribe) codec::encode_subscribe(out_, *id, filter, settings.qos);
  else codec::encode_unsubscribe(out_, *id, filter);
  ids_.find(*id)->bytes_sent = out_.size();
  write_out();
}

void NativeSession::start_disconnect(lh_call *call) {
  if (!require_connected(call, "disconnect")) return;
  codec::encode_disconnect(out_);
  uint64_t bytes = out_.size();
  write_out();
  // What is still in flight will not be answered now.
  ids_.drain([this](const PacketIds::Entry &e) {
    if (e.call) complete(e.call, "mqtt: disconnected before the broker answered", e.bytes_sent);
  });
  for (lh_call *r : std::exchange(receivers_, {})) complete(r, "mqtt: disconnected while receiving");
  inbound_qos2_.clear();
  ping_outstanding_ = false;
  state_ = State::closing;  // the broker closes; kLinger bounds the wait
  host_->timer_arm(keep_alive_, kLingerUs);
  complete_soon(call, bytes);
}

void NativeSession::start_receive(lh_call *call) {
  if (inbox_.empty() && state_ != State::connected) {
    fail(call, "mqtt: receive while not connected: call \"connect\" and \"subscribe\" first");
    return;
  }
  // A waiting message is handed over by the soon_ timer, not here: a
  // response completed inside call_start loses its body (the host keeps
  // only the error of an early completion).
  receivers_.push_back(call);
  if (!inbox_.empty() && !soon_armed_) {
    soon_armed_ = true;
    host_->timer_arm(soon_, 0);
  }
}

void NativeSession::on_soon() {
  soon_armed_ = false;
  for (const Soon &s : std::exchange(soon_calls_, {})) complete(s.call, {}, s.bytes_sent);
  while (!receivers_.empty() && !inbox_.empty()) {
    lh_call *call = receivers_.front();
    receivers_.pop_front();
    Received message = std::move(inbox_.front());
    inbox_.pop_front();
    complete_receive(host_, call, message);
  }
}

// ---- the connection -----------------------------------------------------------

void NativeSession::drop_connection(bool host_closed) {
  if (conn_ && !host_closed) host_->conn_close(conn_);
  conn_ = nullptr;
  state_ = State::idle;
  decoder_.reset();
  ping_outstanding_ = false;
  inbound_qos2_.clear();
  host_->timer_disarm(keep_alive_);
}

void NativeSession::lose(std::string_view reason, bool host_closed, bool never_connected) {
  const std::string why(reason);  // `reason` may be the decoder's, which drop_connection clears
  drop_connection(host_closed);
  if (lh_call *c = std::exchange(connect_call_, nullptr))
    complete(c, "mqtt: connect to " + broker_.server_uri() + " failed: " + why, connect_bytes_,
             never_connected ? uint32_t(LH_RESPONSE_NOT_CONNECTED) : 0u);
  const std::string error = "mqtt: connection lost: " + why;
  ids_.drain([&](const PacketIds::Entry &e) {
    if (e.call) complete(e.call, error, e.bytes_sent);
  });
  for (lh_call *r : std::exchange(receivers_, {})) complete(r, error);
}

void NativeSession::on_keep_alive() {
  if (state_ == State::closing) {
    drop_connection(false);  // the broker did not close after our DISCONNECT
    return;
  }
  if (state_ == State::connecting) {
    lose("no CONNACK within " + std::to_string(connack_timeout_us_ / 1'000'000) + " s", false);
    return;
  }
  if (state_ != State::connected || keep_alive_s_ == 0) return;
  if (ping_outstanding_) {
    lose("no PINGRESP within the keep-alive (" + std::to_string(keep_alive_s_) + " s)", false);
    return;
  }
  codec::encode_pingreq(out_);
  write_out();
  ping_outstanding_ = true;
  host_->timer_arm(keep_alive_, uint64_t(keep_alive_s_) * 1'000'000);
}

void NativeSession::on_data(std::string_view data) {
  if (state_ == State::closing) return;  // after our DISCONNECT: nothing to act on
  codec::Packet packet;
  for (;;) {
    switch (decoder_.next(data, packet)) {
      case codec::Decoder::Result::need_more: return;
      case codec::Decoder::Result::error: lose(decoder_.error(), false); return;
      case codec::Decoder::Result::packet:
        if (!on_packet(packet)) return;
        break;
    }
  }
}

bool NativeSession::on_packet(const codec::Packet &packet) {
  if (state_ == State::connecting) {
    if (packet.type != codec::kConnack) {
      lose("malformed packet from the broker: expected CONNACK, got " + codec::type_name(packet.type), false);
      return false;
    }
    on_connack(packet);
    return conn_ != nullptr;
  }
  switch (packet.type) {
    case codec::kPublish: on_publish(packet); break;
    case codec::kPuback:
    case codec::kPubrec:
    case codec::kPubrel:
    case codec::kPubcomp:
    case codec::kSuback:
    case codec::kUnsuback: on_ack(packet); break;
    case codec::kPingresp:
      if (std::string why = codec::parse_pingresp(packet); !why.empty())
        lose("malformed packet from the broker: " + why, false);
      ping_outstanding_ = false;
      break;
    default:
      lose("malformed packet from the broker: unexpected " + codec::type_name(packet.type), false);
  }
  return conn_ != nullptr && state_ == State::connected;
}

void NativeSession::on_connack(const codec::Packet &packet) {
  codec::Connack connack;
  if (std::string why = codec::parse_connack(packet, connack); !why.empty()) {
    lose("malformed packet from the broker: " + why, false);
    return;
  }
  if (connack.return_code != 0) {
    lose(codec::connack_refusal_text(connack.return_code), false);
    return;
  }
  state_ = State::connected;
  if (keep_alive_s_ > 0) host_->timer_arm(keep_alive_, uint64_t(keep_alive_s_) * 1'000'000);
  else host_->timer_disarm(keep_alive_);
  if (lh_call *c = std::exchange(connect_call_, nullptr)) complete(c, {}, connect_bytes_);
}

void NativeSession::on_publish(const codec::Packet &packet) {
  const uint64_t at_ns = host_->now_ns(host_);
  codec::Publish m;
  if (std::string why = codec::parse_publish(packet, m); !why.empty()) {
    lose("malformed packet from the broker: " + why, false);
    return;
  }
  if (m.qos == 1) {
    codec::encode_ack(out_, codec::kPuback, m.packet_id);
    write_out();
  } else if (m.qos == 2) {
    codec::encode_ack(out_, codec::kPubrec, m.packet_id);
    write_out();
    // Delivered on its first PUBLISH; a resend before PUBREL is the same
    // message (4.3.3).
    if (std::find(inbound_qos2_.begin(), inbound_qos2_.end(), m.packet_id) != inbound_qos2_.end()) return;
    inbound_qos2_.push_back(m.packet_id);
  }
  std::string_view body =
      report_delivery(host_, loop_, m.topic, settings_.delivery_name, user_class_, m.payload, at_ns);
  if (receivers_.empty() && inbox_limit_ == 0) return;  // nobody takes messages: no copy
  Received message{std::string(m.topic), std::string(body), m.qos, m.retain};
  if (!receivers_.empty()) {
    lh_call *call = receivers_.front();
    receivers_.pop_front();
    complete_receive(host_, call, message);
    return;
  }
  if (inbox_.size() >= inbox_limit_) inbox_.pop_front();
  inbox_.push_back(std::move(message));
}

void NativeSession::on_ack(const codec::Packet &packet) {
  uint16_t id = 0;
  std::string why = packet.type == codec::kSuback ? codec::parse_suback(packet, id, codes_)
                                                  : codec::parse_ack(packet, id);
  if (!why.empty()) {
    lose("malformed packet from the broker: " + why, false);
    return;
  }
  if (packet.type == codec::kPubrel) {  // inbound QoS 2, step 3
    std::erase(inbound_qos2_, id);
    codec::encode_ack(out_, codec::kPubcomp, id);
    write_out();
    return;
  }
  PacketIds::Entry *entry = ids_.find(id);
  using Kind = PacketIds::Kind;
  // An answer to an id we do not hold, or of the wrong kind, is dropped: a
  // late duplicate is not worth the connection.
  if (!entry) return;
  const Kind expected = packet.type == codec::kPuback    ? Kind::publish1
                        : packet.type == codec::kPubrec  ? Kind::publish2
                        : packet.type == codec::kPubcomp ? Kind::released
                        : packet.type == codec::kSuback  ? Kind::subscribe
                                                         : Kind::unsubscribe;
  if (entry->kind != expected) return;
  if (packet.type == codec::kPubrec) {  // outbound QoS 2, step 2: release it
    entry->kind = Kind::released;
    codec::encode_ack(out_, codec::kPubrel, id);
    entry->bytes_sent += out_.size();
    write_out();
    return;
  }
  PacketIds::Entry done = *entry;
  ids_.remove(id);
  if (!done.call) return;  // cancelled meanwhile
  if (packet.type == codec::kSuback &&
      std::find(codes_.begin(), codes_.end(), uint8_t(0x80)) != codes_.end()) {
    complete(done.call, "mqtt: subscribe failed: refused by the broker (SUBACK return code 0x80)", done.bytes_sent);
    return;
  }
  complete(done.call, {}, done.bytes_sent);
}

// ---- host callbacks: the ABI edge ----------------------------------------------

void NativeSession::on_connected_cb(void *ud, lh_conn *, lh_str, lh_str error) {
  auto *s = static_cast<NativeSession *>(ud);
  if (error.data == nullptr) return;  // CONNECT was queued at open; CONNACK will tell
  try {
    std::string why(kNoConnection);
    if (error.size > 0) why.append(": ").append(view(error));
    s->lose(why, true, true);
  } catch (...) {
    s->drop_connection(true);
  }
}

void NativeSession::on_data_cb(void *ud, const uint8_t *data, size_t size) {
  auto *s = static_cast<NativeSession *>(ud);
  try {
    s->on_data(std::string_view(reinterpret_cast<const char *>(data), size));
  } catch (...) {
    s->lose("internal error (out of memory)", false);
  }
}

void NativeSession::on_closed_cb(void *ud, lh_str error) {
  auto *s = static_cast<NativeSession *>(ud);
  try {
    if (s->state_ == State::closing) {
      s->drop_connection(true);  // the broker's answer to our DISCONNECT
      return;
    }
    if (s->state_ == State::connecting)
      s->lose(error.data ? "the broker closed the connection before CONNACK: " + std::string(view(error))
                         : std::string("the broker closed the connection before CONNACK"),
              true);
    else
      s->lose(error.data ? view(error) : kNoCause, true);
  } catch (...) {
    s->drop_connection(true);
  }
}

void NativeSession::on_keep_alive_cb(void *ud) {
  auto *s = static_cast<NativeSession *>(ud);
  try {
    s->on_keep_alive();
  } catch (...) {
    s->drop_connection(false);
  }
}

void NativeSession::on_soon_cb(void *ud) {
  try {
    static_cast<NativeSession *>(ud)->on_soon();
  } catch (...) {
  }
}

}  // namespace loadhost::mqtt_plugin
