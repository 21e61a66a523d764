// UsersDispatcher: which user class the n-th spawned user belongs to.
//
// Deterministic, so every run (and later every worker) spawns the same
// sequence: classes with a fixed_count first, then the weighted classes
// interleaved by smooth weighted round robin — weights 3:1 give A A B A,
// never a random draw, so small user counts already honour the ratio.
#pragma once

#include <loadhost/scenario.h>

#include <cstdint>
#include <vector>

namespace loadhost::core {

class UsersDispatcher {
 public:
  explicit UsersDispatcher(std::vector<const lh_user_class *> classes);

  // The class of the next user to spawn; null when only fixed-count classes
  // exist and all of them are full.
  const lh_user_class *next();
  // Forgets the last `count` users handed out, so that after a ramp-down
  // next() continues the sequence from there (the state is replayed: the
  // sequence is a pure function of the position).
  void rewind(uint64_t count);
  uint64_t handed_out() const { return sequence_.size(); }
  // How many users of each class (by index) the first `total` users hold.
  std::vector<uint32_t> counts_for(uint64_t total);
  size_t class_index(const lh_user_class *cls) const;

 private:
  const lh_user_class *pick();
  void reset_state();

  std::vector<const lh_user_class *> classes_;
  std::vector<uint32_t> fixed_left_;       // per class
  std::vector<int64_t> current_weight_;    // smooth WRR state per class
  int64_t total_weight_ = 0;
  std::vector<uint32_t> sequence_;         // class index of every user handed out
};

}  // namespace loadhost::core
