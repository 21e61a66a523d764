// One user's HTTP/2 session: its connections (usually one per origin), its
// cookie jar, its default headers, and any number of calls in flight, each
// an Exchange from a pool.
//
// A call's way, per hop (the first request, then each redirect):
//   start() -> place(): the connection for the URL's origin (opened lazily,
//     h2c with prior knowledge or TLS with ALPN "h2") queues the exchange;
//   drive(): each connection submits what its server's
//     SETTINGS_MAX_CONCURRENT_STREAMS allows and sends what nghttp2 has;
//   nghttp2 reports the stream closed -> stream_ended(): response complete
//     -> cookies -> redirect? place() again : complete(). A stream the server
//     refused unprocessed (REFUSED_STREAM, or above the last stream id of a
//     graceful GOAWAY) goes out again once on a fresh stream; every other
//     ending is a failure with a one-line reason.
//   cancel() -> RST_STREAM(CANCEL) for that stream only; the connection stays.
// drive() runs after every transport event, and once per loop turn after
// calls were started or cancelled (a timer armed with no delay), so that the
// ten calls of a when_all leave in one conn_write. It is the only place where
// dead connections are deleted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"
#include "http_common/cookie_jar.hpp"
#include "http_common/redirect.hpp"
#include "exchange.hpp"
#include "loadhost/host.h"
#include "loadhost/protocol.h"
#include "request_headers.hpp"

namespace loadhost::http2 {

class Session {
 public:
  static constexpr int kMaxRedirects = http_common::kMaxRedirects;
  // Origins a user keeps a connection to; the least recently used idle one
  // is closed beyond this (a connection replaced after GOAWAY is not
  // counted while it finishes its streams).
  static constexpr size_t kMaxConnections = 4;

  // Reads the base URL and the options (insecure, header.<Name>). Returns
  // nullptr with a one-line reason in `error` when they are unusable.
  static std::unique_ptr<Session> create(const lh_host* host, const lh_session_config& config,
                                         std::string& error);
  ~Session();  // closes every connection; no callback runs afterwards

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // lh_protocol.call_start / call_cancel.
  void start(lh_call* call, const lh_request& request);
  void cancel(lh_call* call);

  // Last-resort failure after an exception at the ABI edge: closes every
  // connection and completes every call in flight with `text` (static).
  // Allocates nothing.
  void abort_all(std::string_view text) noexcept;

  const http_common::CookieJar& cookies() const { return cookies_; }
  size_t connection_count() const { return connections_.size(); }

 private:
  friend class Connection;

  Session(const lh_host* host, lh_loop* loop) : host_(host), loop_(loop) {}
  static void on_drive_timer(void* ud);
  void drive_soon();  // drive() at the end of this loop turn

  // ---- used by connections -------------------------------------------------
  // Submits and flushes on every connection until nothing moves, then
  // deletes the dead ones.
  void drive();
  // The stream of `ex` is over (it is off every list).
  void stream_ended(Exchange& ex, const StreamEnd& end);
  // `ex` cannot go on: completes its call with `error`, or frees a
  // cancelled slot.
  void stream_failed(Exchange& ex, std::string_view error);
  // The same, for the exchanges of a connection that could not be made:
  // their completions carry LH_RESPONSE_NOT_CONNECTED.
  void stream_not_connected(Exchange& ex, std::string_view error) {
    not_connected_ = true;
    stream_failed(ex, error);
    not_connected_ = false;
  }
  // Queues `ex` on the connection for its URL (opening one if needed).
  void place(Exchange& ex);
  // Returns the slot to the pool.
  void release(Exchange& ex);
  // The header list for the current hop of `ex` (cookies as of now).
  const RequestHeaders& headers_for(const Exchange& ex);
  std::string& send_buffer() { return send_buffer_; }

  // ---- the calls -------------------------------------------------------------
  Exchange& acquire();
  void route(Exchange& ex);        // parses ex.url, then place()
  void on_response(Exchange& ex);  // a complete response: cookies, redirect or complete
  bool follow_redirect(Exchange& ex);
  void complete(Exchange& ex, std::string_view error);
  Connection* connection_for(const http_common::UrlView& url);

  const lh_host* host_;
  lh_loop* loop_;
  std::string base_;  // base URL without trailing '/': targets are appended
  bool tls_verify_ = true;
  std::vector<Header> default_headers_;
  http_common::CookieJar cookies_;
  uint64_t tick_ = 0;

  // Declared before connections_: the connections' lists unlink their
  // exchanges when destroyed, so the exchanges must outlive them.
  std::vector<std::unique_ptr<Exchange>> exchanges_;
  std::vector<Exchange*> free_;
  std::vector<std::unique_ptr<Connection>> connections_;
  lh_timer* drive_timer_ = nullptr;
  bool drive_armed_ = false;

  // Scratch kept from call to call: the steady state does not allocate.
  RequestHeaders request_headers_;
  std::string cookie_;
  std::string send_buffer_;
  std::string error_;
  bool not_connected_ = false;  // the completion under way is a failed connect
  std::string status_error_;
  std::vector<lh_kv> response_fields_;
};

}  // namespace loadhost::http2
