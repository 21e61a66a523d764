// The name of a function in a loaded library, from the library's own
// symbol table: how `loadhost -l` and --show-task-ratio call a task
// `browse` (Locust's function name) rather than `#1`. A scenario is built
// with hidden visibility, so its functions are not in the dynamic symbol
// table that dladdr reads; the file's .symtab still has them (unless it
// was stripped: then there is no name).
//
// Thread: any; it reads the file each call (for one-shot listings, not for
// the run).
#pragma once

#include <string>

namespace loadhost::core {

// The demangled name of the function starting at `address`
// ("Shopper::browse()"), or "" when it cannot be told.
std::string function_symbol(const void *address);

// "Shopper::browse()" -> "browse"; "(anonymous namespace)::A::b(int)" -> "b".
std::string unqualified_function_name(const std::string &demangled);

}  // namespace loadhost::core
