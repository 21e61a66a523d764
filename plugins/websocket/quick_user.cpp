#include "quick_user.hpp"

#include <loadhost/loadhost.hpp>
#include <loadhost/websocket.hpp>

#include <charconv>

namespace loadhost::websocket {

namespace {

struct WebSocketQuickUser : User {
  static constexpr const char *name = "WebSocketQuickUser";

  WebSocketQuickUser() {
    std::string_view size_text = option("message-size");
    if (!size_text.empty()) {
      size_t n = 0;
      auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), n);
      if (ec != std::errc() || end != size_text.data() + size_text.size() || n == 0)
        setup_error_ = "--message-size '" + std::string(size_text) + "' is not a number above 0";
      message_.assign(n, 'x');
    } else {
      message_ = std::string(option("message"));
    }
    if (option("binary") == "1") request_options_.headers.push_back(Header{"opcode", "binary"});
    request_options_.discard_body = true;  // counted, not kept: quick mode measures
    std::string_view lines = option("ws-header");
    while (!lines.empty() && setup_error_.empty()) {
      size_t nl = lines.find('\n');
      std::string_view line = lines.substr(0, nl);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        setup_error_ = "--ws-header '" + std::string(line) + "' is not NAME:VALUE";
      } else {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        connect_options_.headers.push_back(Header{std::string(line.substr(0, colon)), std::string(value)});
      }
      lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    }
    std::string_view sub = option("subprotocol");
    if (!sub.empty()) connect_options_.headers.push_back(Header{"subprotocol", std::string(sub)});
    task(1, &WebSocketQuickUser::round_trip);
  }

  Task<> on_start() override {
    // A setup error would fail every call the same way: say it once, as a
    // failed request so the exit code tells, and stop the test.
    if (setup_error_.empty()) client_.session(setup_error_);
    if (!setup_error_.empty()) {
      report_request("connect", url_.empty() ? "(setup)" : url_, Duration(0), 0, setup_error_);
      stop_test(setup_error_);
      throw StopUser{};
    }
    co_await connect();
  }

  Task<> round_trip() {
    if (!connected_) {
      co_await connect();
      // A server that refuses us would otherwise be hammered in a hot loop.
      if (!connected_) co_await sleep(Duration(0.1));
      co_return;
    }
    auto r = co_await client_.request(message_, request_options_);
    if (!r.ok()) connected_ = false;  // closed, dropped or timed out: start afresh
  }

  Task<> connect() {
    auto r = co_await client_.connect(url_, connect_options_);
    connected_ = r.ok();
  }

  std::string url_{option("quick-url")};
  WebSocketClient client_{url_};  // the base URL too: a bad one fails the session, and the host stops the test
  std::string message_;
  CallOptions connect_options_;  // --ws-header, --subprotocol
  CallOptions request_options_;  // --binary
  std::string setup_error_;
  bool connected_ = false;
};

}  // namespace

const lh_user_class *quick_user_class(const lh_host *host) {
  attach_host(host);
  return user_class<WebSocketQuickUser>();
}

}  // namespace loadhost::websocket
