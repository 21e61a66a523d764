// For the parity scenarios: counts the users added and removed, per user
// class, through the USER_ADD and USER_REMOVE hooks (fired on loop threads,
// hence the lock). user_tally() says "added A=2 B=1; removed A=1".
#pragma once

#include <loadhost/loadhost.hpp>

#include <map>
#include <mutex>
#include <string>

namespace user_tally_detail {
inline std::mutex mutex;
inline std::map<std::string, int> added, removed;  // by user class
inline std::string class_of(const lh_hook_args &a) { return std::string(a.user_class.data, a.user_class.size); }
inline std::string counts(const std::map<std::string, int> &m) {
  std::string out;
  for (const auto &[cls, n] : m) out += (out.empty() ? "" : " ") + cls + "=" + std::to_string(n);
  return out;
}
}  // namespace user_tally_detail

LOADHOST_ON(LH_HOOK_USER_ADD, [](const lh_hook_args &a) {
  std::lock_guard lock(user_tally_detail::mutex);
  ++user_tally_detail::added[user_tally_detail::class_of(a)];
});
LOADHOST_ON(LH_HOOK_USER_REMOVE, [](const lh_hook_args &a) {
  std::lock_guard lock(user_tally_detail::mutex);
  ++user_tally_detail::removed[user_tally_detail::class_of(a)];
});

inline std::string user_tally() {
  std::lock_guard lock(user_tally_detail::mutex);
  return "added " + user_tally_detail::counts(user_tally_detail::added) + "; removed " +
         user_tally_detail::counts(user_tally_detail::removed);
}
