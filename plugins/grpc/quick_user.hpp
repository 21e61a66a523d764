// Quick mode, like ghz:
//   loadhost --plugin grpc -u 50 -t 30s --proto greeter.proto
//            --call helloworld.Greeter/SayHello -d '{"name":"x"}' grpc://127.0.0.1:50051
// One user class, written with the C++ SDK like any scenario: each user
// calls --call with -d (and -M metadata) in a loop, with no wait.
#pragma once

#include "loadhost/scenario.h"

namespace loadhost::grpc_plugin {

// [control-thread, init] Attaches the SDK to `host` and returns the class,
// valid until deinit.
const lh_user_class* quick_user_class(const lh_host* host);

}  // namespace loadhost::grpc_plugin
