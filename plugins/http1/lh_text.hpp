// Conversions between the ABI's lh_str (pointer + length, NULL = absent) and
// std::string_view, in one place so every file treats "absent" the same way.
#pragma once

#include <string_view>

#include "loadhost/abi.h"

namespace loadhost::http1 {

// Absent and empty both read as an empty view.
inline std::string_view view(lh_str s) { return {s.data ? s.data : "", s.size}; }

// A view as an lh_str (never absent: data is non-null for std::string_view
// of a string or literal).
inline lh_str str(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace loadhost::http1
