// The demo shop: what each path of the demo target answers. Built so that a
// load test shows names (/items/[id]), a spread of latencies (/slow) and
// failures (/flaky, 401, 404) in its stats.
//
//   GET  /            small HTML page
//   POST /login       form or JSON body with `username`; sets cookie `session`
//   GET  /items/{id}  JSON for ids 1..1000, 404 otherwise
//   POST /cart        session cookie required (401); body {"item": id}
//   GET  /cart        the session's cart as JSON (401 without a session)
//   GET  /slow        answers after 100-300 ms
//   GET  /flaky       500 about one time in ten
//   GET  /redirect    302 to /
//   GET  /health      200 "ok"
#pragma once

#include "cart_store.hpp"
#include "http_server.hpp"

#include <cstdint>
#include <mutex>
#include <random>

namespace loadhost::demo {

class ShopRoutes {
 public:
  static constexpr int kItemCount = 1000;

  // `seed` makes /slow delays, /flaky failures and session ids repeatable
  // (their sequence; the order threads draw from it is not).
  explicit ShopRoutes(std::uint64_t seed);

  // Thread-safe: a RequestHandler for HttpServer.
  RouteReply handle(const HttpRequest &request);

 private:
  RouteReply login(const HttpRequest &request);
  RouteReply add_to_cart(const HttpRequest &request);
  RouteReply show_cart(const HttpRequest &request);
  RouteReply slow();
  RouteReply flaky();

  std::mutex random_mutex_;
  std::mt19937_64 random_;  // guarded by random_mutex_
  CartStore carts_;
};

}  // namespace loadhost::demo
