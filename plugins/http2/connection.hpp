// One HTTP/2 connection to one origin: the host's transport underneath, an
// nghttp2 client session on top (driven through its memory API: bytes from
// on_data go to nghttp2_session_mem_recv, what nghttp2_session_mem_send
// produces goes out in one conn_write per batch), and the exchanges it
// carries: as streams, or queued until the server's
// SETTINGS_MAX_CONCURRENT_STREAMS lets another stream open.
//
// Life: connecting -> ready -> (GOAWAY received) going_away -> dead.
// Requests are submitted while connecting too: the host queues the bytes
// until the connection is up. A dead connection holds no exchange; the
// session deletes it after the current event (never inside a callback).
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/intrusive/list.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "exchange.hpp"
#include "loadhost/host.h"

namespace loadhost::http2 {

class Session;

// How a stream ended, as nghttp2 and the frames told it.
struct StreamEnd {
  uint32_t error_code = NGHTTP2_NO_ERROR;  // of the stream's closure
  bool goaway = false;         // above the last stream id of a GOAWAY received
  uint32_t goaway_code = 0;    // that GOAWAY's error code
  int not_sent = 0;            // the HEADERS never left (an nghttp2 error code), or 0
};

class Connection {
 public:
  // Our receive windows: large enough that a 1 MB body needs no round trip
  // for WINDOW_UPDATE per 64 KB, bounded so a server cannot make a user
  // buffer without limit beyond what it asked for.
  static constexpr int32_t kStreamWindow = 1 << 20;
  static constexpr int32_t kConnectionWindow = 1 << 24;

  Connection(Session& session, const lh_host* host, std::string_view host_name, uint16_t port,
             bool tls);
  // Closes the transport if still open and frees the nghttp2 session; no
  // callback of this connection runs afterwards.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Creates the nghttp2 session, queues the preface and our SETTINGS, and
  // opens the transport. False when the host or nghttp2 could not.
  bool open(lh_loop* loop, bool tls_verify);

  bool serves(std::string_view host, uint16_t port, bool tls) const;
  std::string_view origin_host() const { return host_; }
  // New streams may start here (not dead, no GOAWAY received).
  bool accepts_streams() const { return state_ == State::connecting || state_ == State::ready; }
  bool dead() const { return state_ == State::dead; }
  bool idle() const { return queue_.empty() && streams_.empty(); }
  bool has_queue() const { return !queue_.empty(); }
  uint64_t last_used = 0;  // session tick, for closing the least recently used

  // Queues `ex` for a stream (it must be in no list).
  void enqueue(Exchange& ex);
  // Removes the next queued exchange (for moving it elsewhere), or null.
  Exchange* take_queued();
  // The caller gave up on `ex` (its call is already null): a queued one is
  // just dropped; a stream is reset with CANCEL and stays until nghttp2
  // closes it, since nghttp2 may still read its body.
  void cancel(Exchange& ex);

  // Submits queued exchanges while the server's limit on concurrent streams
  // allows, then sends what nghttp2 has. Returns true when it changed
  // something another connection may care about (it submitted, or died).
  bool pump();

  // Fails the connection: closes the transport (unless the host already
  // did) and hands every exchange back to the session, streams as failed
  // with `error`, queued ones as failed too when `queued_fail` (the origin
  // is unreachable), else to be placed again; `connected` false: the
  // connection was never made, and the completions say so
  // (LH_RESPONSE_NOT_CONNECTED). Idempotent. Allocates nothing.
  void fail(std::string_view error, bool queued_fail, bool connected = true);
  // Closes an idle connection quietly (eviction, session end).
  void close();

 private:
  enum class State { connecting, ready, going_away, dead };
  using List = boost::intrusive::list<
      Exchange, boost::intrusive::member_hook<Exchange, boost::intrusive::list_member_hook<>,
                                              &Exchange::link>>;

  // Transport events (the host's callbacks land here, then the session runs).
  void on_connected(lh_str alpn, lh_str error);
  void on_data(const uint8_t* data, size_t size);
  void on_closed(lh_str error);
  static void on_connected_cb(void* ud, lh_conn* conn, lh_str alpn, lh_str error);
  static void on_data_cb(void* ud, const uint8_t* data, size_t size);
  static void on_closed_cb(void* ud, lh_str error);
  static const lh_conn_callbacks kTransportCallbacks;

  // nghttp2's callbacks (user_data = this).
  friend struct Nghttp2Callbacks;
  Exchange* stream(int32_t stream_id);  // the live exchange of a stream, or null
  void stream_closed(Exchange& ex, const StreamEnd& end);
  bool submit(Exchange& ex);  // false: no stream id left here (requeued)
  void flush();
  void detach(Exchange& ex);

  Session& session_;
  const lh_host* host_api_;
  std::string host_;
  uint16_t port_;
  bool tls_;
  State state_ = State::connecting;
  lh_conn* handle_ = nullptr;
  nghttp2_session* h2_ = nullptr;
  int32_t goaway_last_id_ = 0;
  uint32_t goaway_code_ = 0;
  bool out_of_memory_ = false;  // a callback of ours failed inside nghttp2
  List queue_;    // waiting for a stream, in order
  List streams_;  // submitted, not yet closed
  std::string error_;  // the text of this connection's failures
};

}  // namespace loadhost::http2
