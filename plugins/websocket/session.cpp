#include "session.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

#include "call_metadata.hpp"
#include "loadhost/kit/call_completion.hpp"
#include "loadhost/kit/option_reader.hpp"
#include "loadhost/kit/str.hpp"

namespace loadhost::websocket {

namespace {

using kit::view;
using kit::str;

constexpr std::string_view kKnownOptions[] = {"insecure", "queue-size", "report-messages"};

// The session's own options win; the run options (command line) fill in.
bool read_settings(const lh_host *host, const lh_session_config &config, SessionSettings &out, std::string &error) {
  for (size_t i = 0; i < config.option_count; ++i) {
    std::string_view key = view(config.options[i].key);
    if (std::find(std::begin(kKnownOptions), std::end(kKnownOptions), key) == std::end(kKnownOptions)) {
      error = "websocket: unknown session option '" + std::string(key) +
              "' (known: insecure, queue-size, report-messages)";
      return false;
    }
  }
  auto option = [&](const char *name) -> std::optional<std::string_view> {
    if (auto v = kit::session_option(config, name)) return v;
    return kit::run_option(*host, name);
  };
  out.base_url = std::string(view(config.base_url));
  kit::OptionReader reader("websocket");
  if (auto v = option("insecure")) {
    bool insecure = false;
    reader.flag("insecure", *v, insecure);  // "insecure" alone means on, as --insecure
    out.tls_verify = !insecure;
  }
  if (auto v = option("report-messages")) reader.flag("report-messages", *v, out.report_messages);
  if (auto v = option("queue-size"); v && !v->empty()) reader.number("queue-size", *v, out.queue_size, 0, SIZE_MAX, "a number of messages");
  error = reader.error();
  return reader.ok();
}

}  // namespace

const lh_conn_callbacks Session::kCallbacks = {
    sizeof(lh_conn_callbacks), &Session::on_connected_cb, &Session::on_data_cb, &Session::on_closed_cb};

std::unique_ptr<Session> Session::create(const lh_host *host, const lh_session_config &config, std::string &error) {
  SessionSettings settings;
  if (!read_settings(host, config, settings, error)) return nullptr;
  // A base URL no connect could use fails here, once, and the host stops
  // the test; not at every connect, forever.
  if (WsUrl base; !settings.base_url.empty() && !parse_ws_url(settings.base_url, base, error)) return nullptr;
  std::unique_ptr<Session> s(new Session(host, config.loop, std::move(settings)));
  s->user_class_.assign(view(config.user_class));
  s->deliver_timer_ = host->timer_create(config.loop, &Session::on_deliver_timer, s.get());
  if (!s->deliver_timer_) {
    error = "websocket: could not create a timer (out of memory)";
    return nullptr;
  }
  return s;
}

Session::Session(const lh_host *host, lh_loop *loop, SessionSettings settings)
    : host_(host), loop_(loop), settings_(std::move(settings)), queue_(settings_.queue_size) {
  endpoint_.clear_access_channels(websocketpp::log::alevel::all);
  endpoint_.clear_error_channels(websocketpp::log::elevel::all);
  endpoint_.set_secure(true);  // wss:// URLs are fine: the host does the TLS
}

Session::~Session() {
  abandon_connection();
  if (deliver_timer_) host_->timer_destroy(deliver_timer_);
  if (queue_.dropped() > 0) {
    std::string line = "websocket: " + std::to_string(queue_.dropped()) +
                       " messages dropped by a session (nobody received them and its queue of " +
                       std::to_string(queue_.capacity()) + " was full; see --queue-size)";
    host_->log(host_, LH_LOG_WARNING, str(line));
  }
}

// ---- calls -----------------------------------------------------------------

void Session::start(lh_call *call, const lh_request &request) {
  std::string_view op = view(request.operation);
  if (op == "connect") return start_connect(call, request);
  if (op == "send") return start_send(call, request, Kind::send);
  if (op == "request") return start_send(call, request, Kind::request);
  if (op == "ping") return start_ping(call, request);
  if (op == "close") return start_close(call, request);
  if (op == "receive") {
    if (std::optional<ReceivedMessage> m = queue_.pop()) {
      deliver_later(Ready{call, 0, {}, std::move(*m), 0});
    } else if (state_ == State::open) {
      receivers_.push_back(Waiter{call, 0});
    } else {
      deliver_later(Ready{call, 0, not_connected(), {}, 0});
    }
    return;
  }
  deliver_later(Ready{call, 0,
                      "websocket: unknown operation '" + std::string(op) +
                          "' (use connect, send, receive, request, ping or close)",
                      {}, 0});
}

void Session::start_connect(lh_call *call, const lh_request &request) {
  // Connecting again replaces the connection.
  if (state_ != State::closed) fail_waiting("websocket: connection replaced by a new connect");
  abandon_connection();
  queue_.clear();
  ended_.clear();
  std::string error;
  HandshakeOptions handshake;
  WsUrl url;
  if (!parse_handshake_options(request.metadata, request.metadata_count, handshake, error) ||
      !parse_ws_url(join_url(settings_.base_url, view(request.target)), url, error)) {
    ended_ = "the last connect failed";
    return deliver_later(Ready{call, 0, error, {}, 0});
  }
  websocketpp::lib::error_code ec;
  WsConnection::ptr con = endpoint_.get_connection(url.url, ec);
  if (!ec) {
    for (const auto &[k, v] : handshake.headers) con->append_header(k, v);
    for (const auto &p : handshake.subprotocols) {
      con->add_subprotocol(p, ec);
      if (ec) break;
    }
  }
  if (ec) {
    ended_ = "the last connect failed";
    return deliver_later(Ready{call, 0, "websocket: cannot connect to " + url.url + ": " + ec.message(), {}, 0});
  }
  con->set_secure(url.tls);
  url_ = std::move(url);
  ws_ = std::move(con);
  const uint64_t gen = ++generation_;
  install_handlers(gen);

  lh_conn_options o{};
  o.size = sizeof(o);
  o.host = str(url_.host);
  o.port = url_.port;
  o.tls = url_.tls;
  o.tls_verify = settings_.tls_verify;
  conn_ = host_->conn_open(loop_, &o, &kCallbacks, this);
  if (!conn_) {
    abandon_connection();
    ended_ = "the last connect failed";
    return deliver_later(Ready{call, 0, "websocket: cannot connect to " + url_.url + " (out of memory)", {}, 0});
  }
  state_ = State::connecting;
  connect_call_ = Waiter{call, bytes_written_};
  bytes_read_ = 0;
  transport_ended_ = false;
  transport_error_.clear();
  // Writes the HTTP upgrade request now: the host sends it once connected.
  endpoint_.connect(ws_);
}

void Session::start_send(lh_call *call, const lh_request &request, Kind kind) {
  std::string error;
  Opcode opcode = Opcode::text;
  if (!parse_opcode(request.metadata, request.metadata_count, opcode, error))
    return deliver_later(Ready{call, 0, error, {}, 0});
  if (state_ != State::open) return deliver_later(Ready{call, 0, not_connected(), {}, 0});
  const uint64_t before = bytes_written_;
  websocketpp::lib::error_code ec =
      ws_->send(request.body.data ? request.body.data : "", request.body.size,
                opcode == Opcode::binary ? websocketpp::frame::opcode::binary : websocketpp::frame::opcode::text);
  if (ec) return deliver_later(Ready{call, 0, "websocket: send failed: " + ec.message(), {}, 0});
  const uint64_t sent = bytes_written_ - before;
  // The host has the bytes (conn_write copies): a send is done.
  if (kind == Kind::send) return deliver_later(Ready{call, 0, {}, {}, sent});
  receivers_.push_back(Waiter{call, sent});
}

void Session::start_ping(lh_call *call, const lh_request &request) {
  if (state_ != State::open) return deliver_later(Ready{call, 0, not_connected(), {}, 0});
  const uint64_t before = bytes_written_;
  websocketpp::lib::error_code ec;
  ws_->ping(std::string(view(request.body)), ec);
  if (ec) return deliver_later(Ready{call, 0, "websocket: ping failed: " + ec.message(), {}, 0});
  pingers_.push_back(Waiter{call, bytes_written_ - before});
}

void Session::start_close(lh_call *call, const lh_request &request) {
  std::string error;
  uint16_t code = 1000;
  if (!parse_close_code(request.metadata, request.metadata_count, code, error))
    return deliver_later(Ready{call, 0, error, {}, 0});
  if (state_ == State::connecting) {  // nothing to hand shake with yet
    abandon_connection();
    ended_ = "closed by the client";
  }
  if (state_ != State::open) return deliver_later(Ready{call, 0, {}, {}, 0});  // already closed: done
  const uint64_t before = bytes_written_;
  websocketpp::lib::error_code ec;
  ws_->close(code, std::string(view(request.body)), ec);
  if (ec) return deliver_later(Ready{call, 0, "websocket: close failed: " + ec.message(), {}, 0});
  state_ = State::closing;
  close_call_ = Waiter{call, bytes_written_ - before};
}

void Session::cancel(lh_call *call) {
  if (connect_call_.call == call) {
    connect_call_.call = nullptr;
    abandon_connection();  // a handshake that timed out is given up
    ended_ = "the last connect did not finish";
    return;
  }
  if (close_call_.call == call) {
    close_call_.call = nullptr;
    abandon_connection();  // the server never finished the close handshake
    ended_ = "closed by the client";
    return;
  }
  auto is_call = [call](const Waiter &w) { return w.call == call; };
  receivers_.erase(std::remove_if(receivers_.begin(), receivers_.end(), is_call), receivers_.end());
  pingers_.erase(std::remove_if(pingers_.begin(), pingers_.end(), is_call), pingers_.end());
  ready_.erase(std::remove_if(ready_.begin(), ready_.end(), [call](const Ready &r) { return r.call == call; }),
               ready_.end());
}

void Session::abort(lh_call *call, const char *text) noexcept {
  cancel(call);
  kit::complete_failed(*host_, call, text);
}

// ---- completion ------------------------------------------------------------

void Session::complete(lh_call *call, int64_t status, const std::string &error, const ReceivedMessage *message,
                       uint64_t bytes_sent, bool with_opcode, uint32_t flags) {
  static constexpr char kOpcode[] = "opcode", kText[] = "text", kBinary[] = "binary";
  lh_kv opcode{{kOpcode, sizeof kOpcode - 1}, message && message->binary ? lh_str{kBinary, sizeof kBinary - 1}
                                                                           : lh_str{kText, sizeof kText - 1}};
  lh_response r = kit::make_response();
  r.status = status;
  kit::set_error(r, error);
  if (message) {
    r.body = str(message->payload);
    r.bytes_received = message->payload.size();
  }
  if (with_opcode && message) {
    r.metadata = &opcode;
    r.metadata_count = 1;
  }
  r.bytes_sent = bytes_sent;
  r.flags = flags;
  host_->call_complete(call, &r);
}

void Session::deliver_later(Ready ready) {
  ready_.push_back(std::move(ready));
  host_->timer_arm(deliver_timer_, 0);
}

void Session::on_deliver_timer(void *ud) {
  auto *self = static_cast<Session *>(ud);
  std::vector<Ready> batch;
  batch.swap(self->ready_);
  for (Ready &r : batch) {
    const ReceivedMessage *message = r.message ? &*r.message : nullptr;
    self->complete(r.call, r.status, r.error, message, r.bytes_sent, message != nullptr);
  }
}

std::string Session::not_connected() const {
  return "websocket: not connected: " + (ended_.empty() ? std::string("call connect first") : ended_);
}

// ---- the connection --------------------------------------------------------

void Session::install_handlers(uint64_t gen) {
  // Each handler belongs to one connection: after a reconnect (or destroy)
  // the old connection's late callbacks do nothing.
  auto current = [this, gen] { return gen == generation_; };
  ws_->set_write_handler([this, current](websocketpp::connection_hdl, const char *data, size_t size) {
    if (current()) write_bytes(data, size);
    return websocketpp::lib::error_code();
  });
  ws_->set_vector_write_handler(
      [this, current](websocketpp::connection_hdl, const std::vector<websocketpp::transport::buffer> &bufs) {
        if (!current()) return websocketpp::lib::error_code();
        if (bufs.size() == 1) {
          write_bytes(bufs[0].buf, bufs[0].len);
        } else {  // header and payload of a frame: one write for the host
          write_scratch_.clear();
          for (const auto &b : bufs) write_scratch_.append(b.buf, b.len);
          write_bytes(write_scratch_.data(), write_scratch_.size());
        }
        return websocketpp::lib::error_code();
      });
  ws_->set_shutdown_handler([this, current](websocketpp::connection_hdl) {
    if (current() && conn_) host_->conn_close(std::exchange(conn_, nullptr));
    return websocketpp::lib::error_code();
  });
  ws_->set_open_handler([this, current](websocketpp::connection_hdl) {
    if (current()) on_ws_open();
  });
  ws_->set_fail_handler([this, current](websocketpp::connection_hdl) {
    if (current()) on_ws_fail();
  });
  ws_->set_close_handler([this, current](websocketpp::connection_hdl) {
    if (current()) on_ws_close();
  });
  ws_->set_message_handler([this, current](websocketpp::connection_hdl, WsMessage m) {
    if (current()) on_ws_message(std::move(m));
  });
  ws_->set_pong_handler([this, current](websocketpp::connection_hdl, std::string) {
    if (current()) on_ws_pong();
  });
}

void Session::write_bytes(const char *data, size_t size) {
  bytes_written_ += size;
  if (conn_) host_->conn_write(conn_, reinterpret_cast<const uint8_t *>(data), size);
}

void Session::on_connected_cb(void *ud, lh_conn *, lh_str, lh_str error) {
  auto *self = static_cast<Session *>(ud);
  if (!error.data) return;  // the upgrade request is already queued
  self->conn_ = nullptr;    // the host closed it
  std::string why = "websocket: cannot connect to " + self->url_.url + ": " + std::string(view(error));
  self->abandon_connection();
  self->ended_ = "the last connect failed";
  if (lh_call *call = std::exchange(self->connect_call_.call, nullptr))
    self->complete(call, 0, why, nullptr, 0, false, LH_RESPONSE_NOT_CONNECTED);
}

void Session::on_data_cb(void *ud, const uint8_t *data, size_t size) {
  auto *self = static_cast<Session *>(ud);
  self->bytes_read_ += size;
  WsConnection::ptr ws = self->ws_;  // handlers never drop it, but be sure it outlives the read
  if (ws) ws->read_all(reinterpret_cast<const char *>(data), size);
}

void Session::on_closed_cb(void *ud, lh_str error) {
  auto *self = static_cast<Session *>(ud);
  self->conn_ = nullptr;  // invalid after this returns; never close it again
  WsConnection::ptr ws = self->ws_;
  const uint64_t gen = self->generation_;
  self->transport_ended_ = true;
  self->transport_error_.assign(view(error));
  if (ws) {
    // Tells websocketpp the stream ended: it reports a close (code 1006
    // without a close frame) or a failed handshake through the handlers.
    if (error.data) ws->fatal_error();
    else ws->eof();
  }
  if (gen == self->generation_ && self->state_ != State::closed) {
    std::string why = "websocket: connection lost";
    if (error.data) why += ": " + std::string(view(error));
    self->state_ = State::closed;
    self->connection_ended(why);
  }
}

void Session::on_ws_open() {
  state_ = State::open;
  lh_call *call = std::exchange(connect_call_.call, nullptr);
  if (!call) return;
  static constexpr char kKey[] = "subprotocol";
  // websocketpp's client does not record the server's choice
  // (get_subprotocol stays empty): read the response header.
  const std::string &chosen = ws_->get_response_header("Sec-WebSocket-Protocol");
  lh_kv sub{{kKey, sizeof kKey - 1}, str(chosen)};
  lh_response r = kit::make_response();
  r.status = ws_->get_response_code();
  if (!chosen.empty()) {
    r.metadata = &sub;
    r.metadata_count = 1;
  }
  r.bytes_sent = bytes_written_ - connect_call_.bytes_sent;
  r.bytes_received = bytes_read_;
  host_->call_complete(call, &r);
}

void Session::on_ws_fail() {
  state_ = State::closed;
  const int code = ws_->get_response_code();
  const websocketpp::lib::error_code ec = ws_->get_ec();
  std::string why = "websocket: handshake failed: ";
  if (code != 0 && code != 101) why += "HTTP " + std::to_string(code);
  // websocketpp reports an unparsable answer as its "generic error".
  else if (ec == websocketpp::error::make_error_code(websocketpp::error::general) && bytes_read_ > 0)
    why += "the answer is not an HTTP response";
  else if (transport_ended_)
    why += "the server closed the connection before answering" +
           (transport_error_.empty() ? std::string() : " (" + transport_error_ + ")");
  else why += ec.message();
  ended_ = "the last connect failed";
  if (lh_call *call = std::exchange(connect_call_.call, nullptr)) {
    complete(call, code, why, nullptr, 0, false);
    return;
  }
  connection_ended(why);
}

void Session::on_ws_close() {
  state_ = State::closed;
  const int code = ws_->get_remote_close_code();
  if (lh_call *call = std::exchange(close_call_.call, nullptr)) {
    ended_ = "closed by the client";
    complete(call, code, {}, nullptr, close_call_.bytes_sent, false);
    fail_waiting("websocket: connection closed by the client");
    return;
  }
  std::string why = "websocket: connection closed by peer (code " + std::to_string(code);
  const std::string &reason = ws_->get_remote_close_reason();
  why += reason.empty() ? ")" : ": " + reason + ")";
  connection_ended(why);
}

void Session::connection_ended(const std::string &why) {
  state_ = State::closed;
  ended_ = why.substr(why.rfind("websocket: ", 0) == 0 ? 11 : 0);
  fail_waiting(why);
}

void Session::fail_waiting(const std::string &why) {
  if (lh_call *call = std::exchange(connect_call_.call, nullptr)) complete(call, 0, why, nullptr, 0, false);
  if (lh_call *call = std::exchange(close_call_.call, nullptr)) complete(call, 0, why, nullptr, 0, false);
  // Completing may not start calls (the host defers the caller), so the
  // queues do not change under the loops.
  while (!receivers_.empty()) {
    Waiter w = receivers_.front();
    receivers_.pop_front();
    complete(w.call, 0, why, nullptr, w.bytes_sent, false);
  }
  while (!pingers_.empty()) {
    Waiter w = pingers_.front();
    pingers_.pop_front();
    complete(w.call, 0, why, nullptr, w.bytes_sent, false);
  }
}

void Session::on_ws_message(WsMessage m) {
  ReceivedMessage message{std::move(m->get_raw_payload()), m->get_opcode() == websocketpp::frame::opcode::binary};
  if (!receivers_.empty()) {
    Waiter w = receivers_.front();
    receivers_.pop_front();
    complete(w.call, 0, {}, &message, w.bytes_sent, true);
    return;
  }
  const size_t size = message.payload.size();
  const bool kept = queue_.push(std::move(message));
  if (!settings_.report_messages) return;
  static constexpr char kType[] = "ws-message", kDropped[] = "websocket: message dropped: the receive queue is full";
  lh_request_event e{};
  e.size = sizeof(e);
  e.type = lh_str{kType, sizeof kType - 1};
  e.name = str(url_.resource);
  e.start_ns = host_->now_ns(host_);
  e.bytes_received = size;
  e.error = kept ? lh_str{nullptr, 0} : lh_str{kDropped, sizeof kDropped - 1};
  e.user_class = str(user_class_);
  host_->report(loop_, &e);
}

void Session::on_ws_pong() {
  if (pingers_.empty()) return;  // an unsolicited pong
  Waiter w = pingers_.front();
  pingers_.pop_front();
  complete(w.call, 0, {}, nullptr, w.bytes_sent, false);
}

void Session::abandon_connection() {
  ++generation_;  // the old connection's handlers now do nothing
  if (conn_) host_->conn_close(std::exchange(conn_, nullptr));
  if (WsConnection::ptr ws = std::exchange(ws_, nullptr)) ws->fatal_error();  // releases websocketpp's own references
  state_ = State::closed;
}

}  // namespace loadhost::websocket
