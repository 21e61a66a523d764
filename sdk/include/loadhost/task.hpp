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

// What every Task<T> shares: owning the frame, and starting it when awaited.
template <class Promise>
class TaskHandle {
 public:
  TaskHandle() = default;
  TaskHandle(TaskHandle &&other) noexcept : h_(std::exchange(other.h_, {})) {}
  TaskHandle &operator=(TaskHandle &&other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~TaskHandle() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    h_.promise().continuation = awaiter;
    return h_;
  }

 protected:
  explicit TaskHandle(std::coroutine_handle<Promise> h) : h_(h) {}
  void rethrow_if_failed() const {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
  }
  std::coroutine_handle<Promise> h_;
};

template <class T>
struct ValuePromise;
struct VoidPromise;

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task : public detail::TaskHandle<detail::ValuePromise<T>> {
 public:
  using promise_type = detail::ValuePromise<T>;
  using detail::TaskHandle<promise_type>::TaskHandle;
  T await_resume() {
    this->rethrow_if_failed();
    return std::move(*this->h_.promise().value);
  }
  friend promise_type;
};

template <>
class [[nodiscard]] Task<void> : public detail::TaskHandle<detail::VoidPromise> {
 public:
  using promise_type = detail::VoidPromise;
  using TaskHandle::TaskHandle;
  void await_resume() { rethrow_if_failed(); }
  // For the one task nobody awaits: the user's life, started by the host.
  void start_detached() { h_.resume(); }
  bool done() const { return !h_ || h_.done(); }
  friend promise_type;
};

namespace detail {

template <class T>
struct ValuePromise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() { return Task<T>(std::coroutine_handle<ValuePromise>::from_promise(*this)); }
  template <class U>
  void return_value(U &&v) {
    value.emplace(std::forward<U>(v));
  }
};

struct VoidPromise : PromiseBase {
  Task<void> get_return_object() { return Task<void>(std::coroutine_handle<VoidPromise>::from_promise(*this)); }
  void return_void() noexcept {}
};

}  // namespace detail

}  // namespace loadhost
