// The header list of one HTTP/2 request, built into reused buffers so that a
// request costs no allocation once they have grown.
//
// What differs from HTTP/1.1 (RFC 9113 section 8.2-8.3): the request line
// becomes the pseudo-headers :method, :scheme, :authority and :path; Host
// becomes :authority; names go on the wire in lower case; the
// connection-specific headers (Connection, Keep-Alive, Proxy-Connection,
// Transfer-Encoding, Upgrade, and TE other than "trailers") are not sent, so
// a scenario written for http1 runs unchanged on http2.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loadhost/abi.h"
#include "http_common/headers.hpp"

namespace loadhost::http2 {

using http_common::Header;

struct RequestHead {
  std::string_view method;            // "GET"; must be a token
  bool tls = false;                   // :scheme https / http
  std::string_view host;              // the URL's host as written ("[::1]" keeps brackets)
  uint16_t port = 0;                  // appended to :authority when not 0 (non-default port)
  std::string_view path;              // "/a/b"; empty means "/"
  std::string_view query;             // "?x=1" or empty
  std::span<const Header> defaults;   // sent unless `headers` has the same name
  std::span<const lh_kv> headers;     // the caller's headers, in order
  std::string_view cookie;            // "a=1; b=2" from the jar, or empty
  uint64_t body_size = 0;
};

// Whether a call's method and headers can be sent: false with a one-line
// `error` for a method or header name that is not a token, or CR/LF/NUL in a
// value. Checked when the call starts, so it fails at once.
bool check_request(std::string_view method, std::span<const lh_kv> headers, std::string& error);

class RequestHeaders {
 public:
  // Builds the list (replacing the previous one) from a request that passed
  // check_request. Order: pseudo-headers, defaults, the caller's headers,
  // cookie, content-length. A caller's Host sets :authority; a caller's
  // Cookie or Content-Length replaces ours.
  void build(const RequestHead& request);

  // Valid until the next build(); nghttp2_submit_request copies them.
  const nghttp2_nv* data() const { return nv_.data(); }
  size_t size() const { return nv_.size(); }

 private:
  // Offsets into bytes_ (which may move while it grows): pointers are made
  // once every byte is in.
  struct Field {
    uint32_t name_at, name_len, value_at, value_len;
  };
  void add(std::string_view name, std::string_view value, bool lower_name);

  std::string bytes_;
  std::vector<Field> fields_;
  std::vector<nghttp2_nv> nv_;
};

// True for the headers HTTP/2 forbids (RFC 9113 8.2.2), given any case.
bool is_connection_specific(std::string_view name, std::string_view value);

}  // namespace loadhost::http2
