#include "session.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "http_common/http_text.hpp"
#include "http_common/redirect.hpp"
#include "http_common/session_options.hpp"
#include "loadhost/kit/call_completion.hpp"

namespace loadhost::http1 {

using namespace http_common;  // URLs, headers, redirects, session options, views

namespace {


int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

bool has_close_token(std::string_view connection_header) {
  bool close = false;
  for_each_token(connection_header, [&](std::string_view t) { close |= iequals(t, "close"); });
  return close;
}


}  // namespace

const lh_conn_callbacks Session::kCallbacks = {
    sizeof(lh_conn_callbacks), &Session::on_connected_cb, &Session::on_data_cb,
    &Session::on_closed_cb};

std::unique_ptr<Session> Session::create(const lh_host* host, const lh_session_config& config,
                                         std::string& error) {
  std::unique_ptr<Session> s(new Session(host, config.loop));

  SessionOptions options;
  if (!read_session_options(*host, config, "http1", "User-Agent", options, error)) return nullptr;
  s->base_ = std::move(options.base);
  s->default_headers_ = std::move(options.default_headers);
  s->tls_verify_ = options.tls_verify;
  return s;
}

Session::~Session() {
  for (auto& c : connections_) host_->conn_close(c->handle);
}

// ---- calls ------------------------------------------------------------------

void Session::start(lh_call* call, const lh_request& request) {
  if (call_ != nullptr) {
    // HTTP/1.1 without pipelining: refuse rather than queue, so a scenario
    // that forgot to await sees it at once. The call in flight is untouched.
    static constexpr std::string_view kBusy = "http1: a session runs one request at a time";
    kit::complete_failed(*host_, call, kBusy);
    return;
  }
  call_ = call;
  active_ = nullptr;
  flags_ = request.flags;
  redirects_ = 0;
  retried_ = false;
  bytes_sent_ = 0;
  close_after_ = false;
  method_.assign(request.operation.size ? view(request.operation) : std::string_view("GET"));
  body_.assign(view(request.body));

  // The request's pointers die with this call; redirects and the keep-alive
  // retry need the headers later, so copy them into one reused buffer.
  header_bytes_.clear();
  user_headers_.clear();
  for (size_t i = 0; i < request.metadata_count; ++i) {
    header_bytes_.append(view(request.metadata[i].key)).append(view(request.metadata[i].value));
  }
  const char* at = header_bytes_.data();
  for (size_t i = 0; i < request.metadata_count; ++i) {
    const lh_kv& kv = request.metadata[i];
    user_headers_.push_back({{at, kv.key.size}, {at + kv.key.size, kv.value.size}});
    at += kv.key.size + kv.value.size;
    if (iequals(view(kv.key), "connection") && has_close_token(view(kv.value))) close_after_ = true;
  }

  const std::string_view target = view(request.target);
  if (!resolve_target(url_, base_, target)) {
    parser_.reset(false, false);
    error_.assign("http1: relative target \"").append(target).append(
        "\" but the session has no base URL (set the host)");
    fail();
    return;
  }
  send_hop();
}

void Session::cancel(lh_call* call) {
  if (call != call_) return;
  call_ = nullptr;
  // The response may still be on its way: this connection's byte stream is
  // no longer in step with our requests, so it cannot be reused.
  if (active_ != nullptr) close_connection(active_);
}

void Session::abort_call(const char* text) noexcept {
  if (active_ != nullptr) close_connection(active_);
  if (call_ == nullptr) return;
  lh_response r = kit::make_response();
  r.error = {text, std::strlen(text)};
  lh_call* call = std::exchange(call_, nullptr);
  host_->call_complete(call, &r);
}

void Session::send_hop() {
  parser_.reset(method_ == "HEAD", (flags_ & LH_REQUEST_DISCARD_BODY) == 0);
  const char* why = "";
  if (!parse_url(url_, current_, &why)) {
    error_.assign("http1: invalid URL \"").append(url_).append("\": ").append(why);
    fail();
    return;
  }
  cookie_.clear();
  if (!cookies_.empty())
    cookies_.append_header(cookie_, current_.host, current_.path, current_.tls, unix_now());

  RequestHead head;
  head.method = method_;
  head.path = current_.path;
  head.query = current_.query;
  head.host = current_.authority_host;
  head.port = current_.default_port ? 0 : current_.port;
  head.defaults = default_headers_;
  head.headers = user_headers_;
  head.cookie = cookie_;
  head.body = body_;
  if (!write_request(request_, head, error_)) {
    fail();
    return;
  }

  Connection* c = connection_for(current_);
  if (c == nullptr) {
    error_.assign("connect: the host could not open a connection to ").append(current_.origin);
    not_connected_ = true;
    fail();
    return;
  }
  active_ = c;
  // One write per request; the host queues it until the connection is up.
  host_->conn_write(c->handle, reinterpret_cast<const uint8_t*>(request_.data()), request_.size());
  bytes_sent_ += request_.size();
}

void Session::on_response(bool reusable) {
  Connection* c = std::exchange(active_, nullptr);
  if (c != nullptr) {
    ++c->exchanges;
    c->last_used = ++tick_;
    if (!reusable || !parser_.keep_alive() || close_after_) close_connection(c);
  }

  int64_t now = -1;
  for (const lh_kv& f : parser_.fields()) {
    if (!iequals(view(f.key), "set-cookie")) continue;
    if (now < 0) now = unix_now();
    cookies_.store(view(f.value), current_.host, current_.path, now);
  }

  if (!follow_redirect()) complete({nullptr, 0});
}

bool Session::follow_redirect() {
  const lh_str location = parser_.field("location");
  RedirectInput in;
  in.protocol = "http1";
  in.request_flags = flags_;
  in.status = parser_.status();
  if (location.data != nullptr) in.location = view(location);
  in.url = url_;
  in.host = current_.host;
  in.method = method_;
  in.redirects_so_far = redirects_;
  RedirectPlan plan;
  switch (plan_redirect(in, url_scratch_, plan, error_)) {
    case RedirectOutcome::answer:
      return false;
    case RedirectOutcome::fail:
      fail();
      return true;
    case RedirectOutcome::follow:
      break;
  }
  url_.swap(url_scratch_);  // swap, not copy: both keep their capacity
  ++redirects_;
  if (plan.becomes_get) {
    method_.assign("GET");
    body_.clear();
    drop_user_headers(&is_body_header);
  }
  if (plan.drop_credentials) drop_user_headers(&is_credentials_header);
  send_hop();
  return true;
}

void Session::complete(lh_str error) {
  const int status = parser_.status();
  if (error.data == nullptr && status >= 400) {
    // Locust's rule and wording: a 4xx/5xx is a failure named by its status.
    char digits[4] = {char('0' + status / 100), char('0' + status / 10 % 10), char('0' + status % 10), 0};
    error_.assign("HTTP ").append(digits, 3);
    if (!parser_.reason().empty()) error_.append(" ").append(parser_.reason());
    error = str(error_);
  }
  lh_response r = kit::make_response();
  r.status = status;
  r.error = error;
  const auto fields = parser_.fields();
  r.metadata = fields.data();
  r.metadata_count = fields.size();
  r.body = str(parser_.body());
  r.url = str(url_);
  r.bytes_sent = bytes_sent_;
  r.bytes_received = parser_.body_size();
  r.flags = std::exchange(not_connected_, false) ? uint32_t(LH_RESPONSE_NOT_CONNECTED) : 0u;
  // State first: the session is idle before the host sees the completion.
  lh_call* call = std::exchange(call_, nullptr);
  host_->call_complete(call, &r);
}

void Session::fail() {
  // After an error the connection's stream is in an unknown place.
  if (active_ != nullptr) close_connection(active_);
  complete(str(error_));
}

void Session::drop_user_headers(bool (*drop)(std::string_view name)) {
  std::erase_if(user_headers_, [&](const lh_kv& h) { return drop(view(h.key)); });
}

// ---- connections ------------------------------------------------------------

Session::Connection* Session::connection_for(const UrlView& url) {
  for (auto& c : connections_)
    if (c->tls == url.tls && c->port == url.port && iequals(c->host, url.host)) return c.get();

  if (connections_.size() >= kMaxConnections) {
    // No exchange is in flight while a hop picks its connection: all idle.
    auto oldest = std::min_element(connections_.begin(), connections_.end(),
                                   [](const auto& a, const auto& b) { return a->last_used < b->last_used; });
    close_connection(oldest->get());
  }

  auto c = std::make_unique<Connection>();
  c->session = this;
  c->host.assign(url.host);
  c->port = url.port;
  c->tls = url.tls;
  c->last_used = ++tick_;

  lh_conn_options options{};
  options.size = sizeof options;
  options.host = str(c->host);
  options.port = c->port;
  options.tls = c->tls;
  options.tls_verify = tls_verify_;
  // SNI carries names only (RFC 6066): an IP literal gets none.
  options.tls_sni = is_ip_literal(c->host) ? lh_str{nullptr, 0} : str(c->host);
  options.alpn = {nullptr, 0};
  options.connect_timeout_us = 0;
  c->handle = host_->conn_open(loop_, &options, &kCallbacks, c.get());
  if (c->handle == nullptr) return nullptr;
  connections_.push_back(std::move(c));
  return connections_.back().get();
}

void Session::close_connection(Connection* c) {
  host_->conn_close(c->handle);
  forget_connection(c);
}

void Session::forget_connection(Connection* c) {
  if (active_ == c) active_ = nullptr;
  std::erase_if(connections_, [c](const auto& p) { return p.get() == c; });
}

void Session::on_connected(Connection* c, lh_str error) {
  if (error.data == nullptr) return;  // the request was queued at open: nothing to do
  const bool was_active = c == active_ && call_ != nullptr;
  forget_connection(c);  // the host closed it
  if (!was_active) return;
  bytes_sent_ -= request_.size();  // queued, never sent
  error_.assign("connect: ").append(view(error));
  not_connected_ = true;
  fail();
}

void Session::on_data(Connection* c, std::string_view data) {
  if (c != active_ || call_ == nullptr) {
    // Bytes nobody asked for (on an idle or abandoned connection): its
    // stream can no longer be trusted to line up with our requests.
    close_connection(c);
    return;
  }
  size_t used = 0;
  switch (parser_.feed(data, &used)) {
    case ResponseParser::Result::need_more:
      return;
    case ResponseParser::Result::error:
      error_.assign(parser_.error());
      fail();
      return;
    case ResponseParser::Result::complete:
      // Bytes after the response, without a request for them, mean the
      // server and we disagree about framing: do not reuse the connection.
      on_response(used == data.size());
      return;
  }
}

void Session::on_closed(Connection* c, lh_str error) {
  const bool was_active = c == active_ && call_ != nullptr;
  const bool reused = c->exchanges > 0;
  forget_connection(c);
  if (!was_active) return;  // an idle keep-alive connection timed out: fine

  if (parser_.finish() == ResponseParser::Result::complete) {
    on_response(false);  // a body delimited by the close
    return;
  }
  if (!parser_.started() && reused && !retried_) {
    // The keep-alive race: the server closed the idle connection as our
    // request went out. Nothing was answered, so send it again, once.
    retried_ = true;
    send_hop();
    return;
  }
  error_.assign(parser_.error());
  if (error.data != nullptr) error_.append(": ").append(view(error));
  fail();
}

// ---- host callbacks: the ABI edge, so nothing may throw through ---------------

void Session::on_connected_cb(void* ud, lh_conn* /*conn*/, lh_str /*alpn*/, lh_str error) {
  auto* c = static_cast<Connection*>(ud);
  Session* s = c->session;
  try {
    s->on_connected(c, error);
  } catch (...) {
    s->abort_call("http1: internal error (out of memory)");
  }
}

void Session::on_data_cb(void* ud, const uint8_t* data, size_t size) {
  auto* c = static_cast<Connection*>(ud);
  Session* s = c->session;
  try {
    s->on_data(c, {reinterpret_cast<const char*>(data), size});
  } catch (...) {
    s->abort_call("http1: internal error (out of memory)");
  }
}

void Session::on_closed_cb(void* ud, lh_str error) {
  auto* c = static_cast<Connection*>(ud);
  Session* s = c->session;
  try {
    s->on_closed(c, error);
  } catch (...) {
    s->abort_call("http1: internal error (out of memory)");
  }
}

}  // namespace loadhost::http1
