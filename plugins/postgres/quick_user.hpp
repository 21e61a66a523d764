// Quick mode, like pgbench with a custom script of one statement:
//   loadhost --plugin postgres -u 16 -t 10s --sql 'select 1' postgresql://user@127.0.0.1:5432/db
// One user class, written with the C++ SDK like any scenario: each user runs
// --sql (with --param values as $1..$n) in a loop, with no wait.
#pragma once

#include "loadhost/scenario.h"

namespace loadhost::postgres {

// [control-thread, init] Attaches the SDK to `host` and returns the class,
// valid until deinit.
const lh_user_class *quick_user_class(const lh_host *host);

}  // namespace loadhost::postgres
