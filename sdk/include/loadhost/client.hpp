// loadhost C++ SDK — the generic protocol client every typed client wraps.
//
// A Client is one session of its user with one protocol (opened lazily, on
// the first call). `co_await client.call(...)` starts a request through the
// host, which measures and reports it; the Response owns copies of what the
// plugin returned.
#pragma once

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadhost/user.hpp"

namespace loadhost {

// One header / metadata pair: {.headers = {{"X-Tenant", "acme"}}}
struct Header {
  std::string name;
  std::string value;
};

// What one request may set besides its operation, target and body.
struct CallOptions {
  std::string_view name;             // stats name (default: the target)
  std::vector<Header> headers;       // metadata, in order
  std::vector<Header> params;        // HTTP: query parameters, URL-encoded
  bool catch_response = false;       // decide success/failure yourself
  std::optional<Duration> timeout;   // default: the session's (--request-timeout)
  bool allow_redirects = true;       // protocols that have them
  bool discard_body = false;         // count the body, do not keep it
};

class Response {
 public:
  Response() = default;
  Response(Response &&other) noexcept { *this = std::move(other); }
  Response &operator=(Response &&other) noexcept {
    if (this != &other) {
      settle();
      status_ = other.status_;
      error_ = std::move(other.error_);
      body_ = std::move(other.body_);
      url_ = std::move(other.url_);
      headers_ = std::move(other.headers_);
      elapsed_ = other.elapsed_;
      deferred_ = std::exchange(other.deferred_, std::nullopt);
    }
    return *this;
  }
  ~Response() { settle(); }

  int64_t status() const { return status_; }
  bool ok() const { return !error_.has_value(); }
  // The failure text ("HTTP 404 Not Found", "connection refused"), if any.
  const std::optional<std::string> &error() const { return error_; }
  const std::string &body() const { return body_; }
  const std::string &url() const { return url_; }
  Duration elapsed() const { return elapsed_; }
  const std::vector<Header> &headers() const { return headers_; }
  // The first header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const {
    for (const auto &[k, v] : headers_)
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        return v;
    return {};
  }

  // With catch_response: report this request as a success / a failure.
  // Without a call, it is reported as the protocol judged it when the
  // Response is destroyed (as Locust's catch_response block ends).
  void success() { report(std::nullopt); }
  void failure(std::string_view text) { report(std::string(text)); }
  // The task that was to judge it was interrupted (the stop): nobody will,
  // so the host takes the call back from the sent count instead.
  void drop_report(lh_user *user) {
    if (!deferred_) return;
    deferred_.reset();
    if (detail::g_host->abi.minor >= 3 && host().deferred_report_dropped) host().deferred_report_dropped(user);
  }

 private:
  friend class CallAwaiter;
  struct Deferred {
    lh_loop *loop;
    lh_request_event event;  // lh_str fields point into the strings below
    std::string type, name, user_class;
  };
  void report(std::optional<std::string> error) {
    if (!deferred_) return;
    Deferred d = std::move(*deferred_);
    deferred_.reset();
    d.event.type = detail::str(d.type);
    d.event.name = detail::str(d.name);
    d.event.user_class = detail::str(d.user_class);
    d.event.error = error ? detail::str(*error) : lh_str{nullptr, 0};
    host().report(d.loop, &d.event);
  }
  void settle() {
    if (deferred_) report(error_);
  }

  int64_t status_ = 0;
  std::optional<std::string> error_;
  std::string body_;
  std::string url_;
  std::vector<Header> headers_;
  Duration elapsed_{0};
  std::optional<Deferred> deferred_;
};

class Client;

namespace detail {
// Whether one session of the protocol takes many calls at once
// (Client::multiplexed). Only HTTP/1.1 runs one exchange at a time per
// connection and wants more sessions (a browser's connection pool); every
// other protocol's session is the user's connection and its state (an MQTT
// or WebSocket connection, a database connection, HTTP/2 or gRPC streams)
// and takes concurrent calls itself: multiplexed, pipelined or queued. A
// client without a protocol id picks it by URL scheme, and http(s) is http1.
inline bool multiplexes(std::string_view protocol_id) {
  return !protocol_id.empty() && protocol_id != "http1";
}
// Calls awaited together (when_all.hpp): the waiter is resumed once, after
// the last of them is done.
struct CallGroup {
  std::coroutine_handle<> waiter;
  UserBase *owner = nullptr;  // whose coroutine the waiter is (crash report)
  size_t pending = 0;  // calls started and not done (when_all adds one while starting)
  uint64_t epoch = 0;  // the owner's epoch when started (UserBase::interrupt_life)
};
// Whether a coroutine suspended in `epoch` of `owner`'s life may resume:
// not once the user was interrupted since (its task was abandoned).
inline bool still_current(const UserBase *owner, uint64_t epoch) { return !owner || owner->epoch() == epoch; }
}  // namespace detail

// The awaitable of one call: starts it in await_suspend, resumes the user
// from a fresh stack once the host delivered the result. [[nodiscard]]: a
// call that is not awaited is never sent, so forgetting co_await warns.
class [[nodiscard]] CallAwaiter {
 public:
  CallAwaiter(Client &client, std::string_view operation, std::string target,
              std::string_view body, CallOptions options)
      : client_(client), operation_(operation), target_(std::move(target)), body_(body),
        options_(std::move(options)) {}

  // Fluent setters, for what braced lists would do: GCC 12 rejects an
  // initializer list inside a co_await expression ("array used as
  // initializer", a compiler bug fixed in GCC 13), so
  //   co_await client.post("/login", body).header("Content-Type", "text/plain");
  [[nodiscard]] CallAwaiter &&header(std::string name, std::string value) && {
    options_.headers.push_back(Header{std::move(name), std::move(value)});
    return std::move(*this);
  }
  [[nodiscard]] CallAwaiter &&param(std::string_view name, std::string_view value) &&;
  [[nodiscard]] CallAwaiter &&name(std::string_view stats_name) && {
    options_.name = stats_name;
    return std::move(*this);
  }
  [[nodiscard]] CallAwaiter &&catch_response() && {
    options_.catch_response = true;
    return std::move(*this);
  }
  [[nodiscard]] CallAwaiter &&timeout(Duration t) && {
    options_.timeout = t;
    return std::move(*this);
  }

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  // Starts the call as one of `group` (when_all): when done, it resumes
  // group.waiter only if it is the last. False when it could not start
  // (await_resume then throws), and then it does not count in the group.
  bool start_in(detail::CallGroup &group) {
    group_ = &group;
    if (!await_suspend(group.waiter)) return false;
    ++group.pending;
    return true;
  }
  Response await_resume() {
    if (failed_to_start_) throw std::runtime_error(start_error_);
    return std::move(response_);
  }

 private:
  static void on_done(void *ud, const lh_call_result *result);
  static void on_resume(void *ud);
  static void on_group_resume(void *ud) {
    auto *group = static_cast<detail::CallGroup *>(ud);
    if (!detail::still_current(group->owner, group->epoch)) return;
    UserBase::Running running(group->owner);
    group->waiter.resume();
  }

  Client &client_;
  lh_session *session_ = nullptr;  // the session the call runs on (see Client::session_for_call)
  detail::CallGroup *group_ = nullptr;  // when started by when_all
  std::string_view operation_;
  std::string target_;
  std::string_view body_;
  CallOptions options_;
  std::coroutine_handle<> waiter_;
  uint64_t epoch_ = 0;  // the owner's, when suspended
  Response response_;
  bool failed_to_start_ = false;
  std::string start_error_;
};

class Client {
 public:
  // `protocol`: a plugin id ("http1"), or empty to pick by the URL scheme of
  // `base_url`. Construct inside a user (the user's constructor or member
  // initialisers): the client belongs to the user being built.
  explicit Client(std::string protocol = {}, std::string base_url = {})
      : user_(detail::t_constructing),
        owner_(detail::t_constructing_owner),
        protocol_(std::move(protocol)),
        base_url_(std::move(base_url)) {}
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;
  // The host closes the session when the user is destroyed.

  void set_base_url(std::string url) { base_url_ = std::move(url); }
  const std::string &base_url() const { return base_url_; }
  void set_protocol(std::string id) { protocol_ = std::move(id); }
  // Protocol options, passed when the session opens ("insecure", ...).
  void set_option(std::string key, std::string value) {
    options_.push_back(Header{std::move(key), std::move(value)});
  }
  // Whether one session of the protocol takes many calls at once. Calls in
  // flight together (when_all.hpp) share the client's session (http2:
  // streams on one connection; mqtt: packets on one connection; postgres:
  // queued on one connection), except over http1 (one request at a time),
  // where each call beyond the first gets a session of its own from a small
  // pool, opened with the same protocol, base URL and options (so cookies set
  // in one are not sent by the others). set_multiplexed overrides the rule.
  void set_multiplexed(bool yes) { multiplexed_ = yes; }
  bool multiplexed() const { return multiplexed_ ? *multiplexed_ : detail::multiplexes(protocol_); }

  CallAwaiter call(std::string_view operation, std::string target, std::string_view body = {},
                   CallOptions options = {}) {
    return CallAwaiter(*this, operation, std::move(target), body, std::move(options));
  }

  // The client's session, opened on first use; null with the reason in `error`.
  lh_session *session(std::string &error) {
    if (sessions_.empty()) {
      lh_session *s = open_session(error);
      if (!s) return nullptr;
      sessions_.push_back(PooledSession{s, 0});
    }
    return sessions_.front().session;
  }

  // The session one call runs on, counted in flight until call_finished:
  // the client's own, unless the protocol is not multiplexed and it is busy;
  // then a free one of the pool, opened when none is free.
  lh_session *session_for_call(std::string &error) {
    if (!session(error)) return nullptr;
    PooledSession *slot = &sessions_.front();
    if (!multiplexed()) {
      auto free = std::find_if(sessions_.begin(), sessions_.end(),
                               [](const PooledSession &p) { return p.in_flight == 0; });
      if (free == sessions_.end()) {
        lh_session *s = open_session(error);
        if (!s) return nullptr;
        sessions_.push_back(PooledSession{s, 0});
        free = sessions_.end() - 1;
      }
      slot = &*free;
    }
    ++slot->in_flight;
    return slot->session;
  }
  void call_finished(lh_session *session) {
    for (PooledSession &p : sessions_) {
      if (p.session != session) continue;
      if (p.in_flight > 0) --p.in_flight;
      return;
    }
  }

  lh_user *user() const { return user_; }
  UserBase *owner() const { return owner_; }

 private:
  lh_session *open_session(std::string &error) {
    std::vector<lh_kv> kv;
    for (const auto &[k, v] : options_) kv.push_back(lh_kv{detail::str(k), detail::str(v)});
    lh_str why{nullptr, 0};
    lh_session *s = host().session_open(user_, detail::str(protocol_), detail::str(base_url_),
                                        kv.data(), kv.size(), &why);
    if (!s) error = std::string(detail::view(why));
    return s;
  }

  struct PooledSession {
    lh_session *session;
    uint32_t in_flight;  // calls started on it and not finished
  };

  lh_user *user_;
  UserBase *owner_ = nullptr;
  std::string protocol_;
  std::string base_url_;
  std::vector<Header> options_;
  std::optional<bool> multiplexed_;
  // [0] is the client's own session; more only for concurrent calls of a
  // protocol that runs one call per session. The host closes them all when
  // the user is destroyed.
  std::vector<PooledSession> sessions_;
};

inline bool CallAwaiter::await_suspend(std::coroutine_handle<> h) {
  lh_session *session = client_.session_for_call(start_error_);
  if (!session) {
    failed_to_start_ = true;
    return false;
  }
  session_ = session;
  std::vector<lh_kv> metadata;
  metadata.reserve(options_.headers.size());
  for (const auto &[k, v] : options_.headers) metadata.push_back(lh_kv{detail::str(k), detail::str(v)});

  lh_request request{};
  request.size = sizeof(request);
  request.flags = (options_.catch_response ? uint32_t(LH_REQUEST_DEFER_REPORT) : 0u) |
                  (options_.allow_redirects ? 0u : uint32_t(LH_REQUEST_NO_REDIRECTS)) |
                  (options_.discard_body ? uint32_t(LH_REQUEST_DISCARD_BODY) : 0u);
  request.operation = detail::str(operation_);
  request.target = detail::str(target_);
  request.metadata = metadata.data();
  request.metadata_count = metadata.size();
  request.body = detail::str(body_);
  request.name = detail::str(options_.name);
  if (options_.timeout)
    request.timeout_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(*options_.timeout).count());
  waiter_ = h;
  if (UserBase *owner = client_.owner()) epoch_ = owner->epoch();
  if (group_) group_->epoch = epoch_;
  host().call_start(session, &request, &CallAwaiter::on_done, this);
  return true;
}

inline void CallAwaiter::on_done(void *ud, const lh_call_result *result) {
  auto *self = static_cast<CallAwaiter *>(ud);
  const lh_response &r = *result->response;
  Response &out = self->response_;
  out.status_ = r.status;
  if (r.error.data) out.error_.emplace(detail::view(r.error));
  out.body_.assign(detail::view(r.body));
  out.url_.assign(detail::view(r.url));
  for (size_t i = 0; i < r.metadata_count; ++i)
    out.headers_.push_back(Header{std::string(detail::view(r.metadata[i].key)),
                                  std::string(detail::view(r.metadata[i].value))});
  out.elapsed_ = Duration(double(result->event->response_time_us) / 1e6);
  if (self->options_.catch_response) {
    Response::Deferred d{};
    d.event = *result->event;
    d.type.assign(detail::view(result->event->type));
    d.name.assign(detail::view(result->event->name));
    d.user_class.assign(detail::view(result->event->user_class));
    d.loop = host().user_loop(self->client_.user());
    out.deferred_ = std::move(d);
  }
  self->client_.call_finished(self->session_);
  if (UserBase *owner = self->client_.owner()) owner->note_io();
  // Not inside the plugin's completion: resume from a fresh stack.
  lh_loop *loop = host().user_loop(self->client_.user());
  if (detail::CallGroup *group = self->group_) {
    group->owner = self->client_.owner();
    if (--group->pending == 0) host().post(loop, &CallAwaiter::on_group_resume, group);
    return;
  }
  host().post(loop, &CallAwaiter::on_resume, self);
}

inline void CallAwaiter::on_resume(void *ud) {
  auto *self = static_cast<CallAwaiter *>(ud);
  if (!detail::still_current(self->client_.owner(), self->epoch_)) {  // its task was interrupted
    self->response_.drop_report(self->client_.user());
    return;
  }
  UserBase::Running running(self->client_.owner());
  self->waiter_.resume();
}

}  // namespace loadhost
