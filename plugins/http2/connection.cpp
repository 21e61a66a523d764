#include "connection.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "http_common/http_text.hpp"
#include "http_common/url.hpp"
#include "session.hpp"

namespace loadhost::http2 {
namespace {

constexpr uint64_t kFrameHeaderBytes = 9;  // every HTTP/2 frame: length, type, flags, stream id

using http_common::str;
using http_common::view;

constexpr std::string_view kAlpnH2 = "\x02h2";
constexpr std::string_view kOutOfMemory = "http2: internal error (out of memory)";

// Copies the next piece of a request body into nghttp2's frame buffer.
ssize_t read_body(nghttp2_session* /*h2*/, int32_t stream_id, uint8_t* buf, size_t length,
                  uint32_t* data_flags, nghttp2_data_source* source, void* /*user_data*/) {
  auto* ex = static_cast<Exchange*>(source->ptr);
  // The slot is reused only after its stream closed, so this holds; a stale
  // read would reset the stream rather than send another call's body.
  if (ex->stream_id != stream_id) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const size_t n = std::min(length, ex->body.size() - ex->body_offset);
  std::memcpy(buf, ex->body.data() + ex->body_offset, n);
  ex->body_offset += n;
  if (ex->body_offset == ex->body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return ssize_t(n);
}

}  // namespace

// nghttp2's callbacks, in one place; each finds its connection in user_data
// and its exchange by stream id. They only record and hand over: no
// connection is created or deleted while nghttp2 is running.
struct Nghttp2Callbacks {
  // C++ exceptions must not unwind through nghttp2 (C): a callback that
  // throws (out of memory) fails the nghttp2 call instead, and with it the
  // connection.
  template <class Fn>
  static int guarded(void* user_data, Fn&& fn) noexcept {
    auto* c = static_cast<Connection*>(user_data);
    try {
      fn(*c);
      return 0;
    } catch (...) {
      c->out_of_memory_ = true;
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  }

  static int on_header(nghttp2_session* /*h2*/, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t /*flags*/,
                       void* user_data) {
    return guarded(user_data, [&](Connection& c) {
      Exchange* ex = c.stream(frame->hd.stream_id);
      if (ex == nullptr || frame->hd.type != NGHTTP2_HEADERS) return;
      const std::string_view n(reinterpret_cast<const char*>(name), namelen);
      const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
      if (n == ":status") {
        // nghttp2 has checked it is three digits. A 1xx is interim: its
        // fields are not the response's; the final response starts afresh.
        const int status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
        ex->interim = status < 200;
        if (!ex->interim) {
          ex->status = status;
          ex->fields.clear();
          ex->spans.clear();
        }
        return;
      }
      if (ex->interim || n.empty() || n.front() == ':') return;
      Exchange::FieldSpan span{uint32_t(ex->fields.size()), uint32_t(n.size()), 0, uint32_t(v.size())};
      ex->fields.append(n);
      span.value_at = uint32_t(ex->fields.size());
      ex->fields.append(v);
      ex->spans.push_back(span);
    });
  }

  static int on_data_chunk(nghttp2_session* /*h2*/, uint8_t /*flags*/, int32_t stream_id,
                           const uint8_t* data, size_t len, void* user_data) {
    return guarded(user_data, [&](Connection& c) {
      Exchange* ex = c.stream(stream_id);
      if (ex == nullptr) return;
      ex->body_size += len;
      if ((ex->flags & LH_REQUEST_DISCARD_BODY) == 0)
        ex->response_body.append(reinterpret_cast<const char*>(data), len);
    });
  }

  static int on_frame_recv(nghttp2_session* /*h2*/, const nghttp2_frame* frame, void* user_data) {
    auto* c = static_cast<Connection*>(user_data);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
      case NGHTTP2_DATA:
        if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
          if (Exchange* ex = c->stream(frame->hd.stream_id)) ex->ended = true;
        }
        break;
      case NGHTTP2_RST_STREAM:
        if (Exchange* ex = c->stream(frame->hd.stream_id)) {
          ex->reset_by_server = true;
          ex->reset_code = frame->rst_stream.error_code;
        }
        break;
      case NGHTTP2_GOAWAY:
        // nghttp2 closes the streams above last_stream_id right after this
        // (on_stream_close); the ones below may still finish.
        if (c->state_ != Connection::State::dead) c->state_ = Connection::State::going_away;
        c->goaway_last_id_ = frame->goaway.last_stream_id;
        c->goaway_code_ = frame->goaway.error_code;
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session* /*h2*/, int32_t stream_id, uint32_t error_code,
                             void* user_data) {
    return guarded(user_data, [&](Connection& c) {
      Exchange* ex = c.stream(stream_id);
      if (ex == nullptr) return;
      StreamEnd end;
      end.error_code = error_code;
      end.goaway = c.state_ == Connection::State::going_away && stream_id > c.goaway_last_id_;
      end.goaway_code = c.goaway_code_;
      c.stream_closed(*ex, end);  // completes the call, or sends it again
    });
  }

  static int on_frame_send(nghttp2_session* /*h2*/, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.stream_id == 0) return 0;
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    if (Exchange* ex = static_cast<Connection*>(user_data)->stream(frame->hd.stream_id))
      ex->bytes_sent += kFrameHeaderBytes + frame->hd.length;
    return 0;
  }

  static int on_frame_not_send(nghttp2_session* /*h2*/, const nghttp2_frame* frame,
                               int lib_error_code, void* user_data) {
    // A request whose HEADERS could not go (GOAWAY arrived first, or it was
    // cancelled before it left). nghttp2 may or may not report the stream
    // closed after this; handing it over now and forgetting the stream id
    // makes a later on_stream_close for it a no-op.
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    return guarded(user_data, [&](Connection& c) {
      Exchange* ex = c.stream(frame->hd.stream_id);
      if (ex == nullptr) return;
      StreamEnd end;
      end.error_code = NGHTTP2_REFUSED_STREAM;
      end.not_sent = lib_error_code;
      c.stream_closed(*ex, end);
    });
  }

  // Built once; nghttp2_session_client_new copies the table.
  struct Table {
    nghttp2_session_callbacks* callbacks = nullptr;
    Table() {
      if (nghttp2_session_callbacks_new(&callbacks) != 0) return;
      nghttp2_session_callbacks_set_on_header_callback(callbacks, &on_header);
      nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &on_data_chunk);
      nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &on_frame_recv);
      nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &on_stream_close);
      nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &on_frame_send);
      nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, &on_frame_not_send);
    }
    ~Table() { nghttp2_session_callbacks_del(callbacks); }
  };
  static const nghttp2_session_callbacks* get() {
    static const Table table;
    return table.callbacks;
  }
};

const lh_conn_callbacks Connection::kTransportCallbacks = {
    sizeof(lh_conn_callbacks), &Connection::on_connected_cb, &Connection::on_data_cb,
    &Connection::on_closed_cb};

Connection::Connection(Session& session, const lh_host* host, std::string_view host_name,
                       uint16_t port, bool tls)
    : session_(session), host_api_(host), host_(host_name), port_(port), tls_(tls) {}

Connection::~Connection() {
  queue_.clear();
  streams_.clear();
  if (handle_ != nullptr) host_api_->conn_close(handle_);
  nghttp2_session_del(h2_);
}

bool Connection::open(lh_loop* loop, bool tls_verify) {
  const nghttp2_session_callbacks* callbacks = Nghttp2Callbacks::get();
  if (callbacks == nullptr || nghttp2_session_client_new(&h2_, callbacks, this) != 0) return false;
  // No server push; larger receive windows than the default 64 KB.
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, uint32_t(kStreamWindow)},
  };
  if (nghttp2_submit_settings(h2_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
      nghttp2_session_set_local_window_size(h2_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow) != 0)
    return false;

  lh_conn_options options{};
  options.size = sizeof options;
  options.host = str(host_);
  options.port = port_;
  options.tls = tls_;
  options.tls_verify = tls_verify;
  // SNI carries names only (RFC 6066): an IP literal gets none.
  options.tls_sni = http_common::is_ip_literal(host_) ? lh_str{nullptr, 0} : str(host_);
  options.alpn = tls_ ? str(kAlpnH2) : lh_str{nullptr, 0};
  handle_ = host_api_->conn_open(loop, &options, &kTransportCallbacks, this);
  return handle_ != nullptr;
}

bool Connection::serves(std::string_view host, uint16_t port, bool tls) const {
  return tls_ == tls && port_ == port && http_common::iequals(host_, host);
}

Exchange* Connection::stream(int32_t stream_id) {
  auto* ex = static_cast<Exchange*>(nghttp2_session_get_stream_user_data(h2_, stream_id));
  if (ex == nullptr) {
    // Not opened in nghttp2 yet (HEADERS still queued there).
    for (Exchange& e : streams_)
      if (e.stream_id == stream_id) return &e;
    return nullptr;
  }
  // A slot handed over earlier (not-sent HEADERS) may be on a new stream by now.
  return ex->place == Exchange::Place::stream && ex->conn == this && ex->stream_id == stream_id
             ? ex
             : nullptr;
}

void Connection::enqueue(Exchange& ex) {
  ex.conn = this;
  ex.place = Exchange::Place::queued;
  queue_.push_back(ex);
}

Exchange* Connection::take_queued() {
  if (queue_.empty()) return nullptr;
  Exchange& ex = queue_.front();
  detach(ex);
  return &ex;
}

void Connection::detach(Exchange& ex) {
  if (ex.place == Exchange::Place::queued) queue_.erase(queue_.iterator_to(ex));
  if (ex.place == Exchange::Place::stream) streams_.erase(streams_.iterator_to(ex));
  ex.place = Exchange::Place::pool;
  ex.conn = nullptr;
  ex.stream_id = 0;
}

void Connection::cancel(Exchange& ex) {
  if (ex.place == Exchange::Place::queued) {
    detach(ex);
    session_.release(ex);
    return;
  }
  // The connection stays: only this stream goes (on_stream_close releases).
  if (state_ != State::dead)
    nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, ex.stream_id, NGHTTP2_CANCEL);
}

void Connection::stream_closed(Exchange& ex, const StreamEnd& end) {
  detach(ex);
  session_.stream_ended(ex, end);
}

bool Connection::submit(Exchange& ex) {
  const RequestHeaders& headers = session_.headers_for(ex);
  ex.reset_response();
  nghttp2_data_provider body{};
  body.source.ptr = &ex;
  body.read_callback = &read_body;
  const int32_t id = nghttp2_submit_request(h2_, nullptr, headers.data(), headers.size(),
                                            ex.body.empty() ? nullptr : &body, &ex);
  if (id < 0) {
    if (id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE) {
      // This connection has used up its stream ids: new ones go elsewhere.
      state_ = State::going_away;
      enqueue(ex);
      return false;
    }
    error_.assign("http2: cannot submit the request: ").append(nghttp2_strerror(id));
    session_.stream_failed(ex, error_);
    return true;
  }
  ex.conn = this;
  ex.place = Exchange::Place::stream;
  ex.stream_id = id;
  streams_.push_back(ex);
  return true;
}

bool Connection::pump() {
  if (state_ == State::dead) return false;
  bool changed = false;
  if (accepts_streams()) {
    const uint32_t limit =
        nghttp2_session_get_remote_settings(h2_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    while (!queue_.empty() && streams_.size() < limit && accepts_streams()) {
      Exchange& ex = queue_.front();
      detach(ex);
      if (!submit(ex)) break;
      changed = true;
    }
  }
  flush();
  if (state_ == State::going_away && streams_.empty()) {
    // Every stream the server kept has finished: nothing more will come.
    close();
    changed = true;
  }
  return changed || state_ == State::dead;
}

void Connection::flush() {
  if (state_ == State::dead) return;
  std::string& out = session_.send_buffer();
  out.clear();
  ssize_t n = 0;
  for (;;) {
    const uint8_t* data = nullptr;
    n = nghttp2_session_mem_send(h2_, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), size_t(n));
  }
  // One write per batch: the host copies it and sends it in one go.
  if (!out.empty()) host_api_->conn_write(handle_, reinterpret_cast<const uint8_t*>(out.data()), out.size());
  if (n < 0) {
    if (out_of_memory_) {
      fail(kOutOfMemory, false);
    } else {
      error_.assign("http2: ").append(nghttp2_strerror(int(n)));
      fail(error_, false);
    }
    return;
  }
  if (state_ != State::going_away && nghttp2_session_want_read(h2_) == 0 &&
      nghttp2_session_want_write(h2_) == 0) {
    // nghttp2 ended the connection: it sent GOAWAY after a protocol error
    // of the server's.
    fail("http2: connection terminated after a protocol error by the server", false);
  }
}

void Connection::fail(std::string_view error, bool queued_fail, bool connected) {
  if (state_ == State::dead) return;
  state_ = State::dead;
  if (handle_ != nullptr) host_api_->conn_close(std::exchange(handle_, nullptr));
  auto failed = [&](Exchange& ex) {
    if (connected)
      session_.stream_failed(ex, error);
    else
      session_.stream_not_connected(ex, error);
  };
  while (!streams_.empty()) {
    Exchange& ex = streams_.front();
    detach(ex);
    failed(ex);
  }
  while (!queue_.empty()) {
    Exchange& ex = queue_.front();
    detach(ex);
    if (queued_fail)
      failed(ex);
    else
      session_.place(ex);
  }
}

void Connection::close() { fail({}, false); }

// ---- transport events ---------------------------------------------------------

void Connection::on_connected(lh_str alpn, lh_str error) {
  if (error.data != nullptr) {
    handle_ = nullptr;  // the host closed it
    error_.assign("connect: ").append(view(error));
    fail(error_, true, false);
    return;
  }
  if (tls_ && view(alpn) != "h2") {
    fail("http2: server did not negotiate h2 via ALPN", true);
    return;
  }
  if (state_ == State::connecting) state_ = State::ready;
}

void Connection::on_data(const uint8_t* data, size_t size) {
  const ssize_t n = nghttp2_session_mem_recv(h2_, data, size);
  if (n < 0 && out_of_memory_) {
    fail(kOutOfMemory, false);
  } else if (n < 0) {
    error_.assign("http2: protocol error: ").append(nghttp2_strerror(int(n)));
    fail(error_, false);
  }
}

void Connection::on_closed(lh_str error) {
  handle_ = nullptr;  // the host closed it
  error_.assign("http2: connection closed before response complete");
  if (error.data != nullptr) error_.append(": ").append(view(error));
  fail(error_, false);
}

// The ABI edge: nothing may throw through. After each event the session
// submits what waits and sends what nghttp2 has (which may delete `c`).
void Connection::on_connected_cb(void* ud, lh_conn* /*conn*/, lh_str alpn, lh_str error) {
  auto* c = static_cast<Connection*>(ud);
  Session& s = c->session_;
  try {
    c->on_connected(alpn, error);
    s.drive();
  } catch (...) {
    s.abort_all(kOutOfMemory);
  }
}

void Connection::on_data_cb(void* ud, const uint8_t* data, size_t size) {
  auto* c = static_cast<Connection*>(ud);
  Session& s = c->session_;
  try {
    c->on_data(data, size);
    s.drive();
  } catch (...) {
    s.abort_all(kOutOfMemory);
  }
}

void Connection::on_closed_cb(void* ud, lh_str error) {
  auto* c = static_cast<Connection*>(ud);
  Session& s = c->session_;
  try {
    c->on_closed(error);
    s.drive();
  } catch (...) {
    s.abort_all(kOutOfMemory);
  }
}

}  // namespace loadhost::http2
