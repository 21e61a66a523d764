// The C ABI's opaque handles (lh_loop, lh_user, ...) completed as empty tags,
// so the engine's classes can derive from them and convert with static_cast:
// the handle a plugin holds is the engine object itself, no lookup table.
#pragma once

#include <loadhost/loadhost.h>

#include <string_view>

struct lh_loop {};
struct lh_timer {};
struct lh_waker {};
struct lh_conn {};
struct lh_session {};
struct lh_user {};
struct lh_call {};

namespace loadhost::core {

inline std::string_view to_view(lh_str s) {
  return s.data ? std::string_view(s.data, s.size) : std::string_view();
}
inline lh_str to_lh(std::string_view s) { return lh_str{s.data(), s.size()}; }
inline constexpr lh_str kAbsent{nullptr, 0};

}  // namespace loadhost::core
