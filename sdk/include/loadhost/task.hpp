// loadhost::Task<T> — the coroutine type of scenario code.
//
// Lazy (starts when awaited), with symmetric transfer back to its awaiter, so
// a chain of tasks neither grows the stack nor allocates beyond the frames.
// Frames come from a per-thread free list: a user runs on one loop thread
// for life, so a task called once per request reuses the same memory.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <utility>
#include <vector>

namespace loadhost {

namespace detail {

// Size-classed free lists of coroutine frames, one set per thread.
class FramePool {
 public:
  static void *allocate(std::size_t n) {
    std::size_t cls = size_class(n);
    if (cls < kClasses) {
      auto &list = lists()[cls];
      if (!list.empty()) {
        void *p = list.back();
        list.pop_back();
        return p;
      }
      return ::operator new((cls + 1) * kGranule);
    }
    return ::operator new(n);
  }
  static void deallocate(void *p, std::size_t n) noexcept {
    std::size_t cls = size_class(n);
    if (cls < kClasses) {
      auto &list = lists()[cls];
      if (list.size() < kMaxCached) {
        try {
          list.push_back(p);
          return;
        } catch (...) {
        }
      }
      ::operator delete(p);
      return;
    }
    ::operator delete(p);
  }

 private:
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 32;  // frames up to 2 KiB are pooled
  static constexpr std::size_t kMaxCached = 4096;
  static std::size_t size_class(std::size_t n) { return (n + kGranule - 1) / kGranule - 1; }
  struct Lists {
    std::vector<void *> by_class[kClasses];
    ~Lists() {
      for (auto &list : by_class)
        for (void *p : list) ::operator delete(p);
    }
  };
  static std::vector<void *> *lists() {
    thread_local Lists per_thread;
    return per_thread.by_class;
  }
};

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;

  static void *operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void *p, std::size_t n) noexcept { FramePool::deallocate(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto next = h.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    std::optional<T> value;
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    template <class U>
    void return_value(U &&v) {
      value.emplace(std::forward<U>(v));
    }
  };

  Task(Task &&other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task &operator=(Task &&other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    h_.promise().continuation = awaiter;
    return h_;
  }
  T await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
    return std::move(*h_.promise().value);
  }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_void() noexcept {}
  };

  Task() = default;
  Task(Task &&other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task &operator=(Task &&other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    h_.promise().continuation = awaiter;
    return h_;
  }
  void await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
  }

  // For the one task nobody awaits: the user's life, started by the host.
  void start_detached() { h_.resume(); }
  bool done() const { return !h_ || h_.done(); }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

}  // namespace loadhost
