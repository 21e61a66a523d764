// loadhost C++ SDK — tasks and the things that hold them (users, TaskSets):
// weights, tags, and the pick-run-wait loop that Locust users know.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loadhost/task.hpp"
#include "loadhost/wait_time.hpp"

namespace loadhost {

class UserBase;

struct TaskEntry;
using TaskFn = std::function<Task<>(const TaskEntry &)>;

struct TaskEntry {
  TaskFn run;  // gets its own entry (a TaskSet passes its tags on)
  uint32_t weight = 1;
  std::vector<std::string> tags;
  bool is_task_set = false;
  // What a crash report calls the task: .name("checkout"), else "#N" (its
  // place among its holder's tasks) or a TaskSet's type name. C++ cannot
  // tell a member function's name from its pointer.
  std::string label;
  // A TaskSet's: lists the tasks of a fresh instance (describe_tasks).
  void (*describe_set)(const TaskEntry &entry, uint32_t depth, lh_task_visit_fn visit, void *ud) = nullptr;
  // The member function it runs (non-virtual), or null: -l names the task
  // after its symbol when it has no .name().
  const void *function = nullptr;

  // Tags for --tags / --exclude-tags (Locust's @tag).
  TaskEntry &tag(std::string name) {
    tags.push_back(std::move(name));
    return *this;
  }
  TaskEntry &name(std::string task_name) {
    label = std::move(task_name);
    return *this;
  }
};

namespace detail {

// --tags and --exclude-tags, parsed once at init.
struct TagFilter {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool active() const { return !include.empty() || !exclude.empty(); }
};
inline TagFilter g_tag_filter;

// Where a non-virtual member function's code is, from its member pointer
// (the Itanium C++ ABI's {address or vtable offset + 1, this adjustment};
// ARM marks a virtual one in the adjustment instead); null for a virtual
// one. Only for naming: nothing calls through it.
template <class F>
const void *member_function_address(F fn) {
  static_assert(sizeof(F) == 2 * sizeof(void *), "an Itanium C++ ABI member function pointer");
  struct {
    uintptr_t ptr;
    ptrdiff_t adj;
  } parts;
  std::memcpy(&parts, &fn, sizeof parts);
#if defined(__arm__) || defined(__aarch64__)
  const bool is_virtual = parts.adj & 1;
#else
  const bool is_virtual = parts.ptr & 1;
#endif
  return is_virtual ? nullptr : reinterpret_cast<const void *>(parts.ptr);
}

inline bool has_any(const std::vector<std::string> &tags, const std::vector<std::string> &of) {
  for (const auto &t : tags)
    if (std::find(of.begin(), of.end(), t) != of.end()) return true;
  return false;
}

}  // namespace detail

// Something with tasks: a user or a TaskSet.
class TaskHolder {
 public:
  virtual ~TaskHolder() = default;
  TaskHolder() = default;
  TaskHolder(const TaskHolder &) = delete;
  TaskHolder &operator=(const TaskHolder &) = delete;

  // The wait between this holder's tasks; a TaskSet without one uses its
  // user's. Default (users): no wait.
  WaitTime wait_time;

  // A task: a member coroutine of the derived class, with a weight.
  template <class D>
  TaskEntry &task(uint32_t weight, Task<> (D::*fn)()) {
    D *self = static_cast<D *>(this);
    TaskEntry &entry = add(weight, [self, fn](const TaskEntry &) { return (self->*fn)(); });
    entry.function = detail::member_function_address(fn);
    return entry;
  }
  // A task from any callable returning Task<>. The callable is kept for the
  // holder's life, so a lambda coroutine may capture `this`.
  TaskEntry &task(uint32_t weight, std::function<Task<>()> fn) {
    return add(weight, [fn = std::move(fn)](const TaskEntry &) { return fn(); });
  }
  // A nested TaskSet, instantiated afresh each time it is picked.
  template <class TS>
  TaskEntry &task_set(uint32_t weight);

  size_t task_count() const { return tasks_.size(); }

  // Reports the tasks to a describe_tasks visitor (scenario.h), TaskSets'
  // own tasks after their entry. A sequential holder runs each task in turn,
  // whatever its weight: each counts once.
  void describe(uint32_t depth, lh_task_visit_fn visit, void *ud) const {
    for (const TaskEntry &t : tasks_) {
      lh_task_info info{};
      info.size = sizeof(info);
      info.depth = depth;
      info.name = lh_str{t.label.data(), t.label.size()};
      info.weight = sequential_ ? 1 : t.weight;
      info.is_task_set = t.is_task_set;
      info.function = t.function;
      visit(ud, &info);
      if (t.describe_set) t.describe_set(t, depth + 1, visit, ud);
    }
  }

 protected:
  TaskEntry &add(uint32_t weight, TaskFn fn) {
    tasks_.push_back(TaskEntry{std::move(fn), weight, {}, false, "#" + std::to_string(tasks_.size() + 1)});
    return tasks_.back();
  }

  // Applies --tags/--exclude-tags; `inherited` are the tags of the TaskSet
  // entry this holder runs for (a tagged TaskSet includes all its tasks).
  void filter_by_tags(const std::vector<std::string> &inherited = {}) {
    const auto &f = detail::g_tag_filter;
    if (!f.active()) return;
    std::vector<TaskEntry> kept;
    for (auto &t : tasks_) {
      std::vector<std::string> tags = t.tags;
      tags.insert(tags.end(), inherited.begin(), inherited.end());
      if (detail::has_any(tags, f.exclude)) continue;
      // An untagged TaskSet stays: its own tasks are filtered inside it.
      if (!f.include.empty() && !detail::has_any(tags, f.include) && !t.is_task_set) continue;
      kept.push_back(std::move(t));
    }
    tasks_ = std::move(kept);
  }

  // Locust picks tasks at random in proportion to their weights.
  TaskEntry *pick(Random &random) {
    if (tasks_.empty()) return nullptr;
    if (sequential_) {
      TaskEntry *t = &tasks_[next_ % tasks_.size()];
      ++next_;
      return t;
    }
    if (cumulative_.size() != tasks_.size()) {
      cumulative_.clear();
      uint64_t sum = 0;
      for (auto &t : tasks_) cumulative_.push_back(sum += t.weight);
    }
    if (cumulative_.back() == 0) return nullptr;
    std::uniform_int_distribution<uint64_t> d(0, cumulative_.back() - 1);
    uint64_t x = d(random);
    size_t i = size_t(std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin());
    return &tasks_[i];
  }

  std::vector<TaskEntry> tasks_;
  std::vector<uint64_t> cumulative_;
  bool sequential_ = false;  // SequentialTaskSet: in declaration order
  size_t next_ = 0;
  std::vector<std::string> inherited_tags_;

  friend class UserBase;
  friend class TaskSetBase;
};

}  // namespace loadhost
