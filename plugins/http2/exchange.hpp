// One call of a user, from call_start to call_complete, over any number of
// streams: a redirect, or a stream the server refused without processing it,
// goes out again on a new stream. Exchanges are pooled per session and keep
// the capacity of their buffers, so the steady state allocates nothing.
#pragma once

#include <boost/intrusive/list_hook.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "loadhost/call.h"
#include "http_common/url.hpp"

namespace loadhost::http2 {

class Connection;

struct Exchange {
  // Where the exchange is: free in the pool, waiting on a connection for a
  // stream (its queue), or a stream of that connection.
  enum class Place { pool, queued, stream };

  // A response header, as offsets into `fields` (which grows).
  struct FieldSpan {
    uint32_t name_at, name_len, value_at, value_len;
  };

  boost::intrusive::list_member_hook<> link;  // in its connection's queue or streams
  Place place = Place::pool;
  Connection* conn = nullptr;  // set while queued or a stream
  int32_t stream_id = 0;       // while a stream

  // ---- the call ----
  lh_call* call = nullptr;  // null once cancelled: the slot waits for its stream to close
  uint32_t flags = 0;       // LH_REQUEST_*
  int redirects = 0;
  bool refused_once = false;  // a refused stream is sent again, once
  uint64_t bytes_sent = 0;    // frames of every stream of this call

  // ---- the request (copied: lh_request dies with call_start) ----
  std::string method;
  std::string url;          // absolute URL of the current hop
  std::string url_scratch;  // redirect target being resolved
  http_common::UrlView current;   // url parsed (views into url)
  std::string body;
  size_t body_offset = 0;             // bytes of body handed to nghttp2 on this stream
  std::string header_bytes;           // the caller's header names and values
  std::vector<lh_kv> user_headers;    // views into header_bytes

  // ---- the response on the current stream ----
  int status = 0;
  bool interim = false;          // inside a 1xx header block (its fields are dropped)
  bool ended = false;            // END_STREAM received: the response is complete
  bool reset_by_server = false;  // RST_STREAM received
  uint32_t reset_code = 0;
  std::string fields;             // header (then trailer) names and values
  std::vector<FieldSpan> spans;   // into `fields`
  std::string response_body;      // empty with LH_REQUEST_DISCARD_BODY
  uint64_t body_size = 0;         // DATA payload received (counted even when discarded)

  void reset_response() {
    status = 0;
    interim = ended = reset_by_server = false;
    reset_code = 0;
    fields.clear();
    spans.clear();
    response_body.clear();
    body_size = 0;
    body_offset = 0;
  }
};

}  // namespace loadhost::http2
