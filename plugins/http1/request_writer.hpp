// Serializes one HTTP/1.1 request (head and body) into a reused buffer, so a
// request is one conn_write and, once the buffer has grown, no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "loadhost/abi.h"

namespace loadhost::http1 {

// A session's default header (User-Agent, session option header.<Name>).
struct Header {
  std::string name;
  std::string value;
};

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

// Appends path (empty means "/") and query ("?x=1" or empty) as a request
// target, percent-encoding the bytes that may not appear raw (spaces,
// controls, non-ASCII, "<>{}|\\^`); '%' is kept as the caller may have encoded.
// HTTP/2's :path uses it too.
void append_request_target(std::string& out, std::string_view path, std::string_view query);

// True when name: value can go on the wire without breaking the framing.
bool valid_header(std::string_view name, std::string_view value);

}  // namespace loadhost::http1
