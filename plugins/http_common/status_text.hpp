// HTTP/2 responses carry no reason phrase, but a failure reads best as
// "HTTP 404 Not Found" (Locust's wording, and the http1 plugin's): the
// standard phrases of RFC 9110 (and the registered extensions) fill it in.
#pragma once

#include <string>
#include <string_view>

namespace loadhost::http_common {

// The registered reason phrase of `status`, or empty when there is none.
std::string_view reason_phrase(int status);

// Writes "HTTP 503 Service Unavailable" into `out` (replacing it); just
// "HTTP 599" for a code without a registered phrase.
void write_status_failure(std::string& out, int status);

}  // namespace loadhost::http_common
