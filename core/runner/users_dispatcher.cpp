#include "core/runner/users_dispatcher.hpp"

#include <algorithm>

namespace loadhost::core {

UsersDispatcher::UsersDispatcher(std::vector<const lh_user_class *> classes)
    : classes_(std::move(classes)) {
  reset_state();
}

void UsersDispatcher::reset_state() {
  fixed_left_.assign(classes_.size(), 0);
  current_weight_.assign(classes_.size(), 0);
  total_weight_ = 0;
  for (size_t i = 0; i < classes_.size(); ++i) {
    fixed_left_[i] = classes_[i]->fixed_count;
    if (classes_[i]->fixed_count == 0) total_weight_ += classes_[i]->weight;
  }
}

const lh_user_class *UsersDispatcher::pick() {
  // Fixed-count classes first, round robin among them.
  size_t best = classes_.size();
  for (size_t i = 0; i < classes_.size(); ++i)
    if (fixed_left_[i] > 0 && (best == classes_.size() || fixed_left_[i] > fixed_left_[best]))
      best = i;
  if (best < classes_.size()) {
    --fixed_left_[best];
    sequence_.push_back(uint32_t(best));
    return classes_[best];
  }
  if (total_weight_ == 0) return nullptr;
  // Smooth weighted round robin (as nginx balances upstreams): every class
  // gains its weight, the richest is picked and pays the total.
  for (size_t i = 0; i < classes_.size(); ++i) {
    if (classes_[i]->fixed_count == 0) {
      current_weight_[i] += classes_[i]->weight;
      if (classes_[i]->weight > 0 &&
          (best == classes_.size() || current_weight_[i] > current_weight_[best]))
        best = i;
    }
  }
  current_weight_[best] -= total_weight_;
  sequence_.push_back(uint32_t(best));
  return classes_[best];
}

const lh_user_class *UsersDispatcher::next() { return pick(); }

void UsersDispatcher::rewind(uint64_t count) {
  uint64_t keep = sequence_.size() > count ? sequence_.size() - count : 0;
  sequence_.clear();
  reset_state();
  for (uint64_t i = 0; i < keep; ++i) pick();
}

std::vector<uint32_t> UsersDispatcher::counts_for(uint64_t total) {
  UsersDispatcher replay(classes_);
  std::vector<uint32_t> counts(classes_.size(), 0);
  for (uint64_t i = 0; i < total; ++i) {
    const lh_user_class *cls = replay.next();
    if (!cls) break;
    ++counts[replay.sequence_.back()];
  }
  return counts;
}

size_t UsersDispatcher::class_index(const lh_user_class *cls) const {
  return size_t(std::find(classes_.begin(), classes_.end(), cls) - classes_.begin());
}

}  // namespace loadhost::core
