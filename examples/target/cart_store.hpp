// Logged-in sessions and their carts, in memory, shared by all threads.
// Bounded: past kMaxSessions the oldest session is forgotten (its cookie then
// gets 401), and a cart holds at most one line per item id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

namespace loadhost::demo {

struct Cart {
  std::string user;
  std::map<int, std::uint64_t> quantities;  // item id -> quantity, ordered by id
};

class CartStore {
 public:
  static constexpr std::size_t kMaxSessions = 10000;

  explicit CartStore(std::uint64_t seed);

  // Opens a session for `user` with an empty cart; returns its id (the
  // value of the session cookie).
  std::string open_session(const std::string &user);

  // Adds one of `item` to the session's cart; the cart after it, or nullopt
  // when the session is unknown.
  std::optional<Cart> add(const std::string &session, int item);

  // The session's cart, or nullopt when the session is unknown.
  std::optional<Cart> find(const std::string &session) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Cart> carts_;  // session id -> cart
  std::deque<std::string> opened_;               // session ids, oldest first
  std::mt19937_64 id_source_;                    // session ids
};

}  // namespace loadhost::demo
