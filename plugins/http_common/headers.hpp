// Request headers as both HTTP plugins send them: a session's default
// headers, what may go on the wire, how a request target is encoded, and
// which of a caller's headers a redirect drops.
#pragma once

#include <string>
#include <string_view>

namespace loadhost::http_common {

// A session's default header (User-Agent, session option header.<Name>).
struct Header {
  std::string name;
  std::string value;
};

// True when name: value can go on the wire without breaking the framing
// (a token name; no CR, LF or NUL in the value).
bool valid_header(std::string_view name, std::string_view value);

// Appends path (empty means "/") and query ("?x=1" or empty) as a request
// target, percent-encoding the bytes that may not appear raw (spaces,
// controls, non-ASCII, "<>{}|\\^`); '%' is kept as the caller may have encoded.
// HTTP/1.1's request line and HTTP/2's :path.
void append_request_target(std::string& out, std::string_view path, std::string_view query);

// Headers that describe a body: dropped when a redirect turns the request
// into a GET without one.
bool is_body_header(std::string_view name);

// Headers that carry credentials: dropped when a redirect leaves the host
// they were written for.
bool is_credentials_header(std::string_view name);

}  // namespace loadhost::http_common
