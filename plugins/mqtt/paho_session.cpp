#include "paho_session.hpp"

#include <algorithm>
#include <utility>

#include "loadhost/kit/str.hpp"
#include "stamp.hpp"

namespace loadhost::mqtt_plugin {

namespace {

using kit::view;

// The failure text when Paho gives no cause (it usually does not).
constexpr std::string_view kNoCause = "the broker closed the connection or the network failed";

}  // namespace

std::unique_ptr<MqttSession> PahoSession::create(PluginState &plugin, const lh_session_config &config,
                                                 BrokerAddress broker, ConnectSettings settings, std::string &error) {
  auto session =
      std::unique_ptr<PahoSession>(new PahoSession(plugin, config, std::move(broker), std::move(settings)));
  lh_waker *waker = plugin.host->waker_create(config.loop, &PahoSession::on_wake, session.get());
  if (!waker) {
    error = "mqtt: could not create a waker for the session";
    return nullptr;
  }
  session->mailbox_ = std::make_shared<Mailbox>(plugin.host, waker);
  return session;
}

PahoSession::PahoSession(PluginState &plugin, const lh_session_config &config, BrokerAddress broker,
                 ConnectSettings settings)
    : MqttSession(plugin, config, std::move(broker), std::move(settings)) {}

PahoSession::~PahoSession() {
  if (mailbox_) host_->waker_destroy(mailbox_->close());
  if (client_) plugin_.reaper.dispose(std::move(client_), std::move(mailbox_), std::move(control_));
}

void PahoSession::cancel(lh_call *call) {
  for (Pending &p : pending_)
    if (p.call == call) p.call = nullptr;
  std::erase(receivers_, call);
}

uint64_t PahoSession::track(Op op, lh_call *call, uint64_t bytes_sent) {
  uint64_t id = next_op_++;
  pending_.push_back(Pending{id, op, call, bytes_sent});
  return id;
}

void PahoSession::start_connect(lh_call *call, const lh_request &request) {
  if (state_ != State::idle) {
    fail(call, state_ == State::connected ? "mqtt: connect while already connected"
                                          : "mqtt: connect while a connect or disconnect is in flight");
    return;
  }
  std::optional<ConnectSettings> read = connect_settings(call, request);
  if (!read) return;
  ConnectSettings &settings = *read;

  try {
    if (client_ && client_->get_client_id() != settings.client_id)
      plugin_.reaper.dispose(std::move(client_), mailbox_, std::move(control_));
    if (!client_) {
      client_ = std::make_unique<mqtt::async_client>(broker_.server_uri(), settings.client_id,
                                                     mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
      Mailbox *mailbox = mailbox_.get();  // outlives the client (Reaper)
      const lh_host *host = host_;
      client_->set_message_callback([mailbox, host](mqtt::const_message_ptr message) {
        mailbox->push(Event{Event::Kind::message, 0, {}, std::move(message), host->now_ns(host)});
      });
      client_->set_connection_lost_handler([mailbox](const std::string &cause) {
        mailbox->push(Event{Event::Kind::connection_lost, 0, cause, nullptr, 0});
      });
    }
    mqtt::connect_options options;
    options.set_clean_session(settings.clean_session);
    options.set_keep_alive_interval(settings.keep_alive_s);
    options.set_automatic_reconnect(false);  // reconnecting is the scenario's decision
    if (request.timeout_us > 0) options.set_connect_timeout(int(std::max<uint64_t>(1, request.timeout_us / 1000000)));
    if (!settings.username.empty()) options.set_user_name(settings.username);
    if (!settings.password.empty()) options.set_password(settings.password);
    if (!settings.will_topic.empty())
      options.set_will(mqtt::will_options(settings.will_topic, settings.will_message, settings.will_qos,
                                          settings.will_retain));
    if (broker_.tls) {
      mqtt::ssl_options ssl;
      ssl.set_enable_server_cert_auth(!settings.insecure);
      ssl.set_verify(!settings.insecure);
      if (!settings.ca_file.empty()) ssl.set_trust_store(settings.ca_file);
      options.set_ssl(std::move(ssl));
    }
    uint64_t id = track(Op::connect, call, 0);
    state_ = State::connecting;
    try {
      control_ = client_->connect(options, Mailbox::context(id), *mailbox_);
    } catch (...) {
      pending_.pop_back();
      state_ = State::idle;
      throw;
    }
  } catch (const std::exception &e) {
    fail(call, "mqtt: connect to " + broker_.server_uri() + " failed: " + e.what());
  }
}

void PahoSession::start_publish(lh_call *call, const lh_request &request) {
  std::optional<MessageSettings> read = message_settings(call, request);
  if (!read) return;
  const MessageSettings &settings = *read;
  if (!require_connected(call, "publish")) return;
  std::string_view topic = view(request.target);
  std::string payload = settings.timestamp ? stamp_payload(host_->now_ns(host_), view(request.body))
                                           : std::string(view(request.body));
  uint64_t bytes = topic.size() + payload.size();
  uint64_t id = track(Op::publish, call, bytes);
  try {
    auto message = mqtt::make_message(std::string(topic), std::move(payload), settings.qos, settings.retain);
    client_->publish(message, Mailbox::context(id), *mailbox_);
  } catch (const std::exception &e) {
    pending_.pop_back();
    fail(call, "mqtt: publish to '" + std::string(topic) + "' failed: " + e.what());
  }
}

void PahoSession::start_subscribe(lh_call *call, const lh_request &request, bool subscribe) {
  std::optional<MessageSettings> read = message_settings(call, request);
  if (!read) return;
  const MessageSettings &settings = *read;
  const char *verb = subscribe ? "subscribe" : "unsubscribe";
  if (!require_connected(call, verb)) return;
  std::string filter(view(request.target));
  uint64_t id = track(subscribe ? Op::subscribe : Op::unsubscribe, call, filter.size());
  try {
    if (subscribe) client_->subscribe(filter, settings.qos, Mailbox::context(id), *mailbox_);
    else client_->unsubscribe(filter, Mailbox::context(id), *mailbox_);
  } catch (const std::exception &e) {
    pending_.pop_back();
    fail(call, "mqtt: " + std::string(verb) + " '" + filter + "' failed: " + e.what());
  }
}

void PahoSession::start_disconnect(lh_call *call) {
  if (!require_connected(call, "disconnect")) return;
  uint64_t id = track(Op::disconnect, call, 0);
  try {
    state_ = State::disconnecting;
    control_ = client_->disconnect(0, Mailbox::context(id), *mailbox_);
  } catch (const std::exception &e) {
    pending_.pop_back();
    state_ = State::connected;
    fail(call, std::string("mqtt: disconnect failed: ") + e.what());
  }
}

void PahoSession::start_receive(lh_call *call) {
  if (inbox_.empty() && state_ != State::connected) {
    fail(call, "mqtt: receive while not connected: call \"connect\" and \"subscribe\" first");
    return;
  }
  // Served by drain, even when a message is waiting: the response must not
  // be completed inside call_start (the host delivers it later, and the
  // message it points to would be gone). The host's timeout ends the wait.
  receivers_.push_back(call);
  if (!inbox_.empty()) mailbox_->wake();
}

void PahoSession::drain() {
  mailbox_->take(batch_);
  for (const Event &event : batch_) {
    switch (event.kind) {
      case Event::Kind::succeeded: operation_done(event.op_id, nullptr); break;
      case Event::Kind::failed: operation_done(event.op_id, &event.text); break;
      case Event::Kind::message: message_arrived(event); break;
      case Event::Kind::connection_lost: connection_lost(event.text); break;
    }
  }
  batch_.clear();  // releases the messages
  while (!receivers_.empty() && !inbox_.empty()) {
    lh_call *call = receivers_.front();
    receivers_.pop_front();
    Received message = std::move(inbox_.front());
    inbox_.pop_front();
    complete_receive(host_, call, message);
  }
}

void PahoSession::operation_done(uint64_t op_id, const std::string *failure) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending &p) { return p.id == op_id; });
  if (it == pending_.end()) return;  // failed already by a lost connection
  Pending done = *it;
  pending_.erase(it);
  std::string error;
  switch (done.op) {
    case Op::connect:
      state_ = failure ? State::idle : State::connected;
      if (failure) error = "mqtt: connect to " + broker_.server_uri() + " failed: " + *failure;
      break;
    case Op::disconnect:
      state_ = State::idle;
      if (failure) error = "mqtt: disconnect failed: " + *failure;
      for (lh_call *r : std::exchange(receivers_, {})) complete(r, "mqtt: disconnected while receiving");
      break;
    case Op::publish: if (failure) error = "mqtt: publish failed: " + *failure; break;
    case Op::subscribe: if (failure) error = "mqtt: subscribe failed: " + *failure; break;
    case Op::unsubscribe: if (failure) error = "mqtt: unsubscribe failed: " + *failure; break;
  }
  if (done.call) complete(done.call, error, done.bytes_sent);
}

void PahoSession::message_arrived(const Event &event) {
  const mqtt::message &m = *event.message;
  const mqtt::binary_ref &payload_ref = m.get_payload_ref();
  std::string_view payload(payload_ref.data(), payload_ref.size());
  const std::string &topic = m.get_topic();
  payload = report_delivery(host_, loop_, topic, settings_.delivery_name, user_class_, payload, event.at_ns);
  Received message{topic, std::string(payload), m.get_qos(), m.is_retained()};
  if (!receivers_.empty()) {
    lh_call *call = receivers_.front();
    receivers_.pop_front();
    complete_receive(host_, call, message);
    return;
  }
  if (inbox_limit_ == 0) return;
  if (inbox_.size() >= inbox_limit_) inbox_.pop_front();
  inbox_.push_back(std::move(message));
}

void PahoSession::connection_lost(const std::string &cause) {
  state_ = State::idle;
  std::string error = "mqtt: connection lost: " + (cause.empty() ? std::string(kNoCause) : cause);
  // Paho may still answer some of these later: the entries are gone, so
  // operation_done drops them.
  for (const Pending &p : std::exchange(pending_, {}))
    if (p.call) complete(p.call, error, p.bytes_sent);
  for (lh_call *r : std::exchange(receivers_, {})) complete(r, error);
}

}  // namespace loadhost::mqtt_plugin
