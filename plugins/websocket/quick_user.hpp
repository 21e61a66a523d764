// Quick mode:
//   loadhost --plugin websocket -u 50 -t 10s --message hi ws://127.0.0.1:8080/echo
// One user class, written with the C++ SDK (so this file is C++20, unlike
// the websocketpp parts): each user connects once, then does "request"
// round trips (--message, or --message-size bytes) in a loop with no wait,
// and reconnects when the connection is lost.
#pragma once

#include "loadhost/scenario.h"

namespace loadhost::websocket {

// [control-thread, init] Attaches the SDK to `host` and returns the class,
// valid until deinit.
const lh_user_class *quick_user_class(const lh_host *host);

}  // namespace loadhost::websocket
