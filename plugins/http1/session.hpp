// One user's HTTP/1.1 session: its keep-alive connections (through the
// host's transport), its cookie jar, and the one request it runs at a time.
//
// The state machine, per request ("exchange"):
//   start() -> send_hop(): resolve the URL, serialize into request_, pick or
//     open the connection for the URL's origin, one conn_write (the host
//     queues writes made before on_connected).
//   on_data -> parser; complete -> store cookies -> redirect? send_hop()
//     again : finish() -> call_complete.
//   on_closed before any response byte on a reused connection -> resend once
//     on a new connection (the keep-alive race); otherwise an error.
//   on_connected(error) -> "connect: <host's reason>".
//   cancel() -> close the connection in use, forget the call.
// Between exchanges connections sit idle; the server closing one is noted
// and the next request opens a fresh one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http_common/cookie_jar.hpp"
#include "http_common/redirect.hpp"
#include "http_common/url.hpp"
#include "loadhost/host.h"
#include "loadhost/protocol.h"
#include "request_writer.hpp"
#include "response_parser.hpp"

namespace loadhost::http1 {

using http_common::CookieJar;
using http_common::UrlView;

class Session {
 public:
  static constexpr int kMaxRedirects = http_common::kMaxRedirects;
  // Connections kept per user, one per origin (a redirect from http to https
  // should not cost a reconnect per request); the least recently used idle
  // one is closed beyond this.
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

  // Last-resort failure after an exception at the ABI edge: drops the
  // connection in use and completes the call in flight, if any, with `text`
  // (static). Allocates nothing.
  void abort_call(const char* text) noexcept;

  const CookieJar& cookies() const { return cookies_; }

 private:
  struct Connection {
    Session* session;
    lh_conn* handle = nullptr;
    std::string host;
    uint16_t port = 0;
    bool tls = false;
    uint32_t exchanges = 0;  // responses completed: > 0 means it is reused
    uint64_t last_used = 0;  // for closing the least recently used
  };

  Session(const lh_host* host, lh_loop* loop) : host_(host), loop_(loop) {}

  static void on_connected_cb(void* ud, lh_conn* conn, lh_str alpn, lh_str error);
  static void on_data_cb(void* ud, const uint8_t* data, size_t size);
  static void on_closed_cb(void* ud, lh_str error);
  static const lh_conn_callbacks kCallbacks;

  void on_connected(Connection* c, lh_str error);
  void on_data(Connection* c, std::string_view data);
  void on_closed(Connection* c, lh_str error);

  void send_hop();                    // sends the request for url_ on its origin's connection
  void on_response(bool reusable);    // a full response arrived on active_
  bool follow_redirect();             // true when it took over (next hop sent, or failed)
  void complete(lh_str error);        // completes call_ with the parser's response
  void fail();                        // closes active_, completes call_ with error_
  Connection* connection_for(const UrlView& url);
  void close_connection(Connection* c);   // conn_close + forget
  void forget_connection(Connection* c);  // the host already closed it
  void drop_user_headers(bool (*drop)(std::string_view name));

  const lh_host* host_;
  lh_loop* loop_;
  std::string base_;  // base URL without trailing '/': targets are appended
  bool tls_verify_ = true;
  std::vector<Header> default_headers_;
  CookieJar cookies_;
  std::vector<std::unique_ptr<Connection>> connections_;
  uint64_t tick_ = 0;

  // The exchange in flight. Strings and vectors keep their capacity from
  // request to request: the steady state does not allocate.
  lh_call* call_ = nullptr;
  Connection* active_ = nullptr;  // connection carrying the current hop
  uint32_t flags_ = 0;
  std::string method_;
  std::string url_;          // absolute URL of the current hop
  std::string url_scratch_;  // redirect target being resolved
  UrlView current_;          // url_ parsed
  std::string body_;
  std::string header_bytes_;       // the caller's header names and values
  std::vector<lh_kv> user_headers_;  // views into header_bytes_
  bool close_after_ = false;       // the caller sent "Connection: close"
  int redirects_ = 0;
  bool retried_ = false;
  uint64_t bytes_sent_ = 0;
  std::string request_;   // the serialized request of the current hop
  std::string cookie_;    // Cookie header value being built
  std::string error_;     // error text of the completion
  bool not_connected_ = false;  // the completion is a failed connect (LH_RESPONSE_NOT_CONNECTED)
  ResponseParser parser_;
};

}  // namespace loadhost::http1
