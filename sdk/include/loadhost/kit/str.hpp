// loadhost plugin kit — lh_str (the ABI's pointer + length) and std::string_view.
//
// One rule for every plugin: an absent lh_str (data == NULL) reads as an
// empty view, and an empty view written where the ABI distinguishes
// "absent" (lh_response.error: NULL = success) is written as absent by
// optional_str. Header-only, C++17, standard library and C ABI only.
#pragma once

#include <string_view>

#include "loadhost/abi.h"

namespace loadhost {
namespace kit {

// Absent and empty both read as an empty view, whose data is never null
// (some C APIs refuse a null pointer even with length 0).
inline std::string_view view(lh_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view("", 0); }

// True when the ABI value is absent (not merely empty).
inline bool absent(lh_str s) { return s.data == nullptr; }

// A view as an lh_str, borrowing the view's bytes: valid while they are.
inline lh_str str(std::string_view s) { return lh_str{s.data(), s.size()}; }

// Empty becomes absent: for fields where absent means "none" (an error).
inline lh_str optional_str(std::string_view s) { return s.empty() ? lh_str{nullptr, 0} : str(s); }

}  // namespace kit
}  // namespace loadhost
