#include "session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "http_common/headers.hpp"
#include "http_common/http_text.hpp"
#include "http_common/redirect.hpp"
#include "http_common/session_options.hpp"
#include "http_common/status_text.hpp"
#include "http_common/url.hpp"
#include "loadhost/kit/call_completion.hpp"

namespace loadhost::http2 {
namespace {

using namespace http_common;  // URLs, headers, redirects, session options, status texts, views

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view field_name(const Exchange& ex, const Exchange::FieldSpan& f) {
  return {ex.fields.data() + f.name_at, f.name_len};
}
std::string_view field_value(const Exchange& ex, const Exchange::FieldSpan& f) {
  return {ex.fields.data() + f.value_at, f.value_len};
}

}  // namespace

std::unique_ptr<Session> Session::create(const lh_host* host, const lh_session_config& config,
                                         std::string& error) {
  std::unique_ptr<Session> s(new Session(host, config.loop));

  SessionOptions options;
  if (!read_session_options(*host, config, "http2", "user-agent", options, error)) return nullptr;
  s->base_ = std::move(options.base);
  s->default_headers_ = std::move(options.default_headers);
  s->tls_verify_ = options.tls_verify;
  s->drive_timer_ = host->timer_create(config.loop, &Session::on_drive_timer, s.get());
  if (s->drive_timer_ == nullptr) {
    error.assign("http2: could not create a session (no timer)");
    return nullptr;
  }
  return s;
}

Session::~Session() {
  if (drive_timer_ != nullptr) host_->timer_destroy(drive_timer_);
  // The connections close their transport as they go.
}

void Session::on_drive_timer(void* ud) {
  auto* s = static_cast<Session*>(ud);
  s->drive_armed_ = false;
  try {
    s->drive();
  } catch (...) {
    s->abort_all("http2: internal error (out of memory)");
  }
}

void Session::drive_soon() {
  if (drive_armed_) return;
  drive_armed_ = true;
  host_->timer_arm(drive_timer_, 0);
}

// ---- calls ------------------------------------------------------------------

void Session::start(lh_call* call, const lh_request& request) {
  Exchange& ex = acquire();
  ex.call = call;
  ex.flags = request.flags;
  ex.redirects = 0;
  ex.refused_once = false;
  ex.bytes_sent = 0;
  ex.method.assign(request.operation.size ? view(request.operation) : std::string_view("GET"));
  ex.body.assign(view(request.body));
  ex.reset_response();

  // The request's pointers die with this call; streams are submitted later
  // (and again after a redirect), so copy the headers into one buffer.
  ex.header_bytes.clear();
  ex.user_headers.clear();
  for (size_t i = 0; i < request.metadata_count; ++i)
    ex.header_bytes.append(view(request.metadata[i].key)).append(view(request.metadata[i].value));
  const char* at = ex.header_bytes.data();
  for (size_t i = 0; i < request.metadata_count; ++i) {
    const lh_kv& kv = request.metadata[i];
    ex.user_headers.push_back({{at, kv.key.size}, {at + kv.key.size, kv.value.size}});
    at += kv.key.size + kv.value.size;
  }

  if (!check_request(ex.method, ex.user_headers, error_)) {
    stream_failed(ex, error_);
    return;
  }
  const std::string_view target = view(request.target);
  if (!resolve_target(ex.url, base_, target)) {
    error_.assign("http2: relative target \"").append(target).append(
        "\" but the session has no base URL (set the host)");
    stream_failed(ex, error_);
    return;
  }
  route(ex);
  drive_soon();
}

void Session::cancel(lh_call* call) {
  for (auto& slot : exchanges_) {
    Exchange& ex = *slot;
    if (ex.call != call) continue;
    ex.call = nullptr;
    if (ex.conn != nullptr)
      ex.conn->cancel(ex);  // a queued one is freed now, a stream once nghttp2 closes it
    else
      release(ex);
    break;
  }
  drive_soon();
}

void Session::abort_all(std::string_view text) noexcept {
  // Completions without response fields: building them could allocate.
  for (auto& slot : exchanges_) slot->spans.clear();
  for (auto& c : connections_) c->fail(text, true);
  std::erase_if(connections_, [](const auto& c) { return c->dead(); });
  // A call caught between start and its connection.
  for (auto& slot : exchanges_)
    if (slot->call != nullptr && slot->place == Exchange::Place::pool) stream_failed(*slot, text);
}

Exchange& Session::acquire() {
  if (free_.empty()) {
    exchanges_.push_back(std::make_unique<Exchange>());
    free_.reserve(exchanges_.size());  // release() never allocates
    return *exchanges_.back();
  }
  Exchange* ex = free_.back();
  free_.pop_back();
  return *ex;
}

void Session::release(Exchange& ex) {
  ex.call = nullptr;
  ex.place = Exchange::Place::pool;
  ex.conn = nullptr;
  free_.push_back(&ex);
}

void Session::route(Exchange& ex) {
  const char* why = "";
  if (!parse_url(ex.url, ex.current, &why)) {
    error_.assign("http2: invalid URL \"").append(ex.url).append("\": ").append(why);
    stream_failed(ex, error_);
    return;
  }
  place(ex);
}

void Session::place(Exchange& ex) {
  Connection* c = connection_for(ex.current);
  if (c == nullptr) {
    error_.assign("connect: the host could not open a connection to ").append(ex.current.origin);
    stream_not_connected(ex, error_);
    return;
  }
  c->last_used = ++tick_;
  c->enqueue(ex);
}

Connection* Session::connection_for(const UrlView& url) {
  Connection* oldest_idle = nullptr;
  size_t open = 0;
  for (auto& c : connections_) {
    if (!c->accepts_streams()) continue;
    if (c->serves(url.host, url.port, url.tls)) return c.get();
    ++open;
    if (c->idle() && (oldest_idle == nullptr || c->last_used < oldest_idle->last_used))
      oldest_idle = c.get();
  }
  if (open >= kMaxConnections && oldest_idle != nullptr) oldest_idle->close();  // deleted by drive()

  auto c = std::make_unique<Connection>(*this, host_, url.host, url.port, url.tls);
  if (!c->open(loop_, tls_verify_)) return nullptr;
  connections_.push_back(std::move(c));
  return connections_.back().get();
}

void Session::drive() {
  if (drive_armed_) {  // this run covers it
    host_->timer_disarm(drive_timer_);
    drive_armed_ = false;
  }
  // Until nothing moves: a connection that dies or gets GOAWAY hands its
  // waiting exchanges to another, which must then submit them.
  for (bool moved = true; moved;) {
    moved = false;
    for (size_t i = 0; i < connections_.size(); ++i) {  // may grow meanwhile
      Connection& c = *connections_[i];
      if (!c.dead() && !c.accepts_streams()) {
        while (Exchange* ex = c.take_queued()) {
          place(*ex);
          moved = true;
        }
      }
      moved |= c.pump();
    }
  }
  std::erase_if(connections_, [](const auto& c) { return c->dead(); });
}

const RequestHeaders& Session::headers_for(const Exchange& ex) {
  const UrlView& url = ex.current;
  cookie_.clear();
  if (!cookies_.empty()) cookies_.append_header(cookie_, url.host, url.path, url.tls, unix_now());
  RequestHead head;
  head.method = ex.method;
  head.tls = url.tls;
  head.host = url.authority_host;
  head.port = url.default_port ? 0 : url.port;
  head.path = url.path;
  head.query = url.query;
  head.defaults = default_headers_;
  head.headers = ex.user_headers;
  head.cookie = cookie_;
  head.body_size = ex.body.size();
  request_headers_.build(head);
  return request_headers_;
}

// ---- endings ------------------------------------------------------------------

void Session::stream_ended(Exchange& ex, const StreamEnd& end) {
  if (ex.call == nullptr) {  // cancelled: the slot was only waiting for this
    release(ex);
    return;
  }
  if (ex.ended) {
    // The whole response arrived; a reset after it (the server stopping
    // our upload with NO_ERROR, RFC 9113 8.1) does not undo it.
    on_response(ex);
    return;
  }
  // Refused streams were not processed (RFC 9113 8.7): safe to send again.
  const bool refused = (ex.reset_by_server && ex.reset_code == NGHTTP2_REFUSED_STREAM) ||
                       (end.goaway && end.goaway_code == NGHTTP2_NO_ERROR) || end.not_sent != 0;
  if (refused && !ex.refused_once) {
    ex.refused_once = true;
    place(ex);
    return;
  }
  if (ex.reset_by_server) {
    error_.assign("http2: stream reset by server: ").append(nghttp2_http2_strerror(ex.reset_code));
  } else if (end.goaway) {
    error_.assign("http2: server sent GOAWAY (").append(nghttp2_http2_strerror(end.goaway_code)).append(")");
  } else if (end.not_sent != 0) {
    error_.assign("http2: request not sent: ").append(nghttp2_strerror(end.not_sent));
  } else {
    // nghttp2 reset it: the server's response broke the protocol.
    error_.assign("http2: invalid response (stream reset with ")
        .append(nghttp2_http2_strerror(end.error_code))
        .append(")");
  }
  stream_failed(ex, error_);
}

void Session::stream_failed(Exchange& ex, std::string_view error) {
  if (ex.call == nullptr) {
    release(ex);
    return;
  }
  complete(ex, error.empty() ? std::string_view("http2: connection closed") : error);
}

void Session::on_response(Exchange& ex) {
  int64_t now = -1;
  for (const Exchange::FieldSpan& f : ex.spans) {
    if (field_name(ex, f) != "set-cookie") continue;  // h2 names are lower case
    if (now < 0) now = unix_now();
    cookies_.store(field_value(ex, f), ex.current.host, ex.current.path, now);
  }
  if (!follow_redirect(ex)) complete(ex, {});
}

bool Session::follow_redirect(Exchange& ex) {
  RedirectInput in;
  in.protocol = "http2";
  in.request_flags = ex.flags;
  in.status = ex.status;
  for (const Exchange::FieldSpan& f : ex.spans) {
    if (field_name(ex, f) == "location") {
      in.location = field_value(ex, f);
      break;
    }
  }
  in.url = ex.url;
  in.host = ex.current.host;
  in.method = ex.method;
  in.redirects_so_far = ex.redirects;
  RedirectPlan plan;
  switch (plan_redirect(in, ex.url_scratch, plan, error_)) {
    case RedirectOutcome::answer:
      return false;
    case RedirectOutcome::fail:
      complete(ex, error_);
      return true;
    case RedirectOutcome::follow:
      break;
  }
  ex.url.swap(ex.url_scratch);  // swap, not copy: both keep their capacity
  ++ex.redirects;
  ex.refused_once = false;
  if (plan.becomes_get) {
    ex.method.assign("GET");
    ex.body.clear();
    std::erase_if(ex.user_headers, [](const lh_kv& h) { return is_body_header(view(h.key)); });
  }
  if (plan.drop_credentials)
    std::erase_if(ex.user_headers, [](const lh_kv& h) { return is_credentials_header(view(h.key)); });
  route(ex);
  return true;
}

void Session::complete(Exchange& ex, std::string_view error) {
  lh_str failure = error.empty() ? lh_str{nullptr, 0} : str(error);
  if (failure.data == nullptr && ex.status >= 400) {
    // Locust's rule and wording: a 4xx/5xx is a failure named by its status.
    write_status_failure(status_error_, ex.status);
    failure = str(status_error_);
  }
  response_fields_.clear();
  for (const Exchange::FieldSpan& f : ex.spans)
    response_fields_.push_back({str(field_name(ex, f)), str(field_value(ex, f))});

  lh_response r = kit::make_response();
  r.status = ex.status;
  r.error = failure;
  r.metadata = response_fields_.data();
  r.metadata_count = response_fields_.size();
  r.body = str(ex.response_body);
  r.url = str(ex.url);
  r.bytes_sent = ex.bytes_sent;
  r.bytes_received = ex.body_size;
  r.flags = not_connected_ ? uint32_t(LH_RESPONSE_NOT_CONNECTED) : 0u;
  lh_call* call = std::exchange(ex.call, nullptr);
  host_->call_complete(call, &r);
  release(ex);
}

}  // namespace loadhost::http2
