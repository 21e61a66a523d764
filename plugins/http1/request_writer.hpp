// Serializes one HTTP/1.1 request (head and body) into a reused buffer, so a
// request is one conn_write and, once the buffer has grown, no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http_common/headers.hpp"
#include "loadhost/abi.h"

namespace loadhost::http1 {

using http_common::Header;
// Shared with HTTP/2 (http_common/headers.hpp).
using http_common::append_request_target;
using http_common::valid_header;

struct RequestHead {
  std::string_view method;             // "GET"; must be a token
  std::string_view path;               // "/a/b"; empty means "/"
  std::string_view query;              // "?x=1" or empty
  std::string_view host;               // Host header: the URL's host as written
  uint16_t port = 0;                   // appended to Host when not 0 (non-default port)
  std::span<const Header> defaults;    // sent unless `headers` has the same name
  std::span<const lh_kv> headers;      // the caller's headers, in order
  std::string_view cookie;             // "a=1; b=2" from the jar, or empty
  std::string_view body;
};

// Writes the request into `out` (cleared first). Order: request line, Host,
// defaults, the caller's headers, Cookie, Content-Length. A caller's Host,
// Cookie, Content-Length or Transfer-Encoding replaces the one we would add.
// Returns false with a one-line `error` when the method or a header cannot be
// sent as is (a name that is not a token, CR/LF/NUL in a value).
bool write_request(std::string& out, const RequestHead& request, std::string& error);

}  // namespace loadhost::http1
