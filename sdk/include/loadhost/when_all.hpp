// loadhost C++ SDK — several calls in flight at once.
//
//   auto [a, b] = co_await when_all(client.get("/a"), client.get("/b"));
//
//   std::vector<CallAwaiter> calls;
//   for (const auto &path : paths) calls.push_back(client.get(path));
//   std::vector<Response> responses = co_await when_all(std::move(calls));
//
// Every call starts before the user waits for any (a browser loading a
// page's assets); the user resumes once, after the last has completed, with
// the responses in the order the calls were given. Each call is measured and
// reported on its own, exactly as if awaited alone.
//
// Over HTTP/2 the calls are streams of the user's one connection, and every
// other protocol's session takes them itself (MQTT: packets on the one
// connection; Postgres: queued on it). Over HTTP/1.1, one request at a time
// per connection, each call beyond the first runs on another session of the
// same client, from a small pool (Client::multiplexed): its own connection,
// and its own cookies.
//
// If a call cannot start (no plugin for the protocol, a bad base URL), the
// others still run to completion; then co_await throws that call's error.
//
// GCC 12 rejects a braced initializer list inside a co_await expression
// ("array used as initializer"): give per-call options with the fluent
// setters, when_all(client.get("/a").name("a"), ...), not {.name = "a"}.
#pragma once

#include <concepts>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <tuple>
#include <utility>
#include <vector>

#include "loadhost/client.hpp"

namespace loadhost {

// The awaitable of when_all over a vector: std::vector<Response>.
class [[nodiscard]] WhenAllCalls {
 public:
  explicit WhenAllCalls(std::vector<CallAwaiter> calls) : calls_(std::move(calls)) {}

  bool await_ready() const noexcept { return calls_.empty(); }
  bool await_suspend(std::coroutine_handle<> waiter) {
    group_.waiter = waiter;
    // One extra while starting: no call can resume the waiter before all
    // have started (none completes inside its start anyway).
    group_.pending = 1;
    for (CallAwaiter &call : calls_) call.start_in(group_);
    return --group_.pending != 0;  // zero: none could start, go on now
  }
  std::vector<Response> await_resume() {
    std::vector<Response> responses;
    responses.reserve(calls_.size());
    std::exception_ptr error;
    for (CallAwaiter &call : calls_) {
      try {
        responses.push_back(call.await_resume());
      } catch (...) {
        if (!error) error = std::current_exception();
        responses.emplace_back();
      }
    }
    if (error) std::rethrow_exception(error);
    return responses;
  }

 private:
  std::vector<CallAwaiter> calls_;  // not moved once started: the host holds their addresses
  detail::CallGroup group_;
};

// The awaitable of when_all over N calls: std::tuple of N Responses.
template <size_t N>
class [[nodiscard]] WhenAllOf {
 public:
  explicit WhenAllOf(std::vector<CallAwaiter> calls) : all_(std::move(calls)) {}

  bool await_ready() const noexcept { return all_.await_ready(); }
  bool await_suspend(std::coroutine_handle<> waiter) { return all_.await_suspend(waiter); }
  auto await_resume() {
    std::vector<Response> r = all_.await_resume();
    return [&r]<size_t... I>(std::index_sequence<I...>) {
      return std::make_tuple(std::move(r[I])...);
    }(std::make_index_sequence<N>{});
  }

 private:
  WhenAllCalls all_;
};

// co_await when_all(std::move(calls)) -> std::vector<Response>
inline WhenAllCalls when_all(std::vector<CallAwaiter> calls) { return WhenAllCalls(std::move(calls)); }

// co_await when_all(client.get("/a"), client.post("/b", body)) -> std::tuple<Response, Response>
// (calls kept in variables go in with std::move: they are started from here)
template <class... Calls>
  requires(sizeof...(Calls) > 0 && (std::same_as<Calls, CallAwaiter> && ...))
WhenAllOf<sizeof...(Calls)> when_all(Calls &&...calls) {
  std::vector<CallAwaiter> all;
  all.reserve(sizeof...(Calls));
  (all.push_back(std::move(calls)), ...);
  return WhenAllOf<sizeof...(Calls)>(std::move(all));
}

}  // namespace loadhost
