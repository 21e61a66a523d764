// loadhost plugin kit — completing calls (lh_host.call_complete) without
// repeating the lh_response boilerplate in every plugin.
//
// The ABI rules these helpers keep (call.h, host.h): `size` is always set,
// an error is a one-line text and absent on success (never empty-but-set),
// everything the response points to is the plugin's and only has to live
// during call_complete, and every call is completed exactly once unless the
// host cancelled it. Threads: the call's loop thread, as call_complete.
// Header-only, C++17.
#pragma once

#include <cstdint>
#include <string_view>

#include "loadhost/call.h"
#include "loadhost/host.h"
#include "loadhost/kit/str.hpp"

namespace loadhost {
namespace kit {

// A response with `size` set and nothing else: fill what the call produced.
inline lh_response make_response() {
  lh_response r{};
  r.size = sizeof r;
  return r;
}

// Sets the response's error: a failure with `text`, or success when empty.
inline void set_error(lh_response &r, std::string_view text) { r.error = optional_str(text); }

// Completes `call` as failed with `text` (one line, borrowed for the call's
// duration), a protocol `status` (0 when none) and LH_RESPONSE_* `flags`
// (LH_RESPONSE_NOT_CONNECTED when no connection could be made).
inline void complete_failed(const lh_host &host, lh_call *call, std::string_view text, int64_t status = 0,
                            uint32_t flags = 0) {
  lh_response r = make_response();
  r.status = status;
  r.error = str(text.empty() ? std::string_view("failed") : text);
  r.flags = flags;
  host.call_complete(call, &r);
}

// Completes `call` as succeeded with nothing to report but what was sent.
inline void complete_ok(const lh_host &host, lh_call *call, uint64_t bytes_sent = 0, int64_t status = 0) {
  lh_response r = make_response();
  r.status = status;
  r.bytes_sent = bytes_sent;
  host.call_complete(call, &r);
}

}  // namespace kit
}  // namespace loadhost
