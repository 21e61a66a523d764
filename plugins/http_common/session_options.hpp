// What an HTTP session (http1 or http2) takes from its configuration: the
// base URL, default headers and whether to verify TLS peers. One reading for
// both protocols, so a scenario switched between them means the same thing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loadhost/host.h"
#include "loadhost/protocol.h"
#include "headers.hpp"

namespace loadhost::http_common {

struct SessionOptions {
  // Origin and path of the base URL without a trailing '/': request targets
  // are appended to it, as in Locust. Empty when the session has none.
  std::string base;
  // User-Agent first (named `user_agent_name`: HTTP/2 wants lower case),
  // then the session's header.<Name>=value options, a repeated name replacing
  // the earlier value.
  std::vector<Header> default_headers;
  // False when the run option --insecure is set, or the session option
  // insecure=<boolean> (the kit's words: true/false, 1/0, yes/no, on/off).
  bool tls_verify = true;
};

// Reads `config` and the run option "insecure". On a bad base URL, a header
// option that is not a valid header or an insecure= that is not a boolean
// word: false, with a one-line `error` in the kit's option format
// ("<protocol>: option 'insecure': 'maybe' is not a boolean (...)"). Other
// options belong to other layers (the SDK passes common ones to every
// protocol) and are ignored, which keeps sessions portable.
bool read_session_options(const lh_host &host, const lh_session_config &config, std::string_view protocol,
                          std::string_view user_agent_name, SessionOptions &out, std::string &error);

}  // namespace loadhost::http_common
