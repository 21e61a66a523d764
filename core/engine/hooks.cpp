#include "core/engine/hooks.hpp"

#include <algorithm>

namespace loadhost::core {

uint64_t Hooks::subscribe(lh_hook_kind kind, lh_hook_fn fn, void *ud) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  entries_.push_back(Entry{id, kind, HookSubscriber{fn, ud}});
  return id;
}

void Hooks::unsubscribe(uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [id](const Entry &e) { return e.id == id; });
}

void Hooks::fire(const lh_hook_args &args) const {
  // Copy first: a subscriber may subscribe or unsubscribe while called.
  for (const HookSubscriber &s : subscribers(args.kind)) s.fn(s.ud, &args);
}

void Hooks::fire(lh_hook_kind kind, uint64_t user_count) const {
  lh_hook_args args{};
  args.size = sizeof(args);
  args.kind = kind;
  args.user_count = user_count;
  fire(args);
}

std::vector<HookSubscriber> Hooks::subscribers(lh_hook_kind kind) const {
  std::lock_guard lock(mutex_);
  std::vector<HookSubscriber> out;
  for (const Entry &e : entries_)
    if (e.kind == kind) out.push_back(e.subscriber);
  return out;
}

}  // namespace loadhost::core
