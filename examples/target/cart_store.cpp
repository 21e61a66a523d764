#include "cart_store.hpp"

#include <cstdio>

namespace loadhost::demo {

CartStore::CartStore(std::uint64_t seed) : id_source_(seed ^ 0x5e55105eULL) {}

std::string CartStore::open_session(const std::string &user) {
  std::lock_guard lock(mutex_);
  // 128 random bits in hex; a collision would only merge two demo carts.
  char id[33];
  std::snprintf(id, sizeof id, "%016llx%016llx",
                static_cast<unsigned long long>(id_source_()),
                static_cast<unsigned long long>(id_source_()));
  if (opened_.size() >= kMaxSessions) {
    carts_.erase(opened_.front());
    opened_.pop_front();
  }
  carts_[id] = Cart{user, {}};
  opened_.emplace_back(id);
  return id;
}

std::optional<Cart> CartStore::add(const std::string &session, int item) {
  std::lock_guard lock(mutex_);
  auto it = carts_.find(session);
  if (it == carts_.end()) return std::nullopt;
  ++it->second.quantities[item];
  return it->second;
}

std::optional<Cart> CartStore::find(const std::string &session) const {
  std::lock_guard lock(mutex_);
  auto it = carts_.find(session);
  if (it == carts_.end()) return std::nullopt;
  return it->second;
}

}  // namespace loadhost::demo
