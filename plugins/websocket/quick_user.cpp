#include "quick_user.hpp"

#include <loadhost/kit/option_reader.hpp>
#include <loadhost/kit/quick_user.hpp>
#include <loadhost/loadhost.hpp>
#include <loadhost/websocket.hpp>


namespace loadhost::websocket {

namespace {

// --message-size beyond this is a typo, not a load test (the message is built
// once per user).
constexpr uint64_t kMaxMessageSize = 256ull << 20;

struct WebSocketQuickUser : User {
  static constexpr const char *name = "WebSocketQuickUser";

  WebSocketQuickUser() {
    // Flags, so named as typed: "websocket: option '--message-size': ...".
    kit::OptionReader flags("websocket");
    if (std::string_view size_text = option("message-size"); !size_text.empty()) {
      uint64_t n = 0;
      if (flags.size("--message-size", size_text, n, 1, kMaxMessageSize)) message_.assign(size_t(n), 'x');
    } else {
      message_ = std::string(option("message"));
    }
    bool binary = false;
    if (std::string_view b = option("binary"); !b.empty()) flags.flag("--binary", b, binary);
    if (binary) request_options_.headers.push_back(Header{"opcode", "binary"});
    request_options_.discard_body = true;  // counted, not kept: quick mode measures
    std::vector<std::pair<std::string, std::string>> headers;
    flags.key_values("--ws-header", option("ws-header"), headers);
    for (auto &[name, value] : headers) connect_options_.headers.push_back(Header{std::move(name), std::move(value)});
    setup_error_ = flags.error();
    std::string_view sub = option("subprotocol");
    if (!sub.empty()) connect_options_.headers.push_back(Header{"subprotocol", std::string(sub)});
    task(1, &WebSocketQuickUser::round_trip);
  }

  Task<> on_start() override {
    // A setup error would fail every call the same way: say it once, as a
    // failed request so the exit code tells, and stop the test.
    kit::check_quick_setup(*this, client_, setup_error_, "connect", url_);
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
  return kit::quick_user_class<WebSocketQuickUser>(host);
}

}  // namespace loadhost::websocket
