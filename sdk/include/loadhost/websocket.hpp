// loadhost C++ SDK — WebSocket users and their client, through the bundled
// "websocket" plugin (plugins/websocket; docs/plugins/websocket.md):
//
//   #include <loadhost/loadhost.hpp>
//   #include <loadhost/websocket.hpp>
//
//   struct Chatter : loadhost::WebSocketUser {
//     Chatter() { task(1, &Chatter::chat); }
//     Task<> on_start() override { co_await client.connect("/echo"); }
//     Task<> chat() {
//       auto r = co_await client.request("hello");   // send, await the reply
//       if (r.ok() && r.body() != "hello") r.failure("wrong echo");
//     }
//   };
//
// Each call is a row of the stats: (operation, path of the connection), e.g.
// ("connect", "/echo"), ("request", "/echo"). A failure reads
// "websocket: handshake failed: HTTP 404", "websocket: connection closed by
// peer (code 1006)", "timeout: ..."; after the connection is gone every call
// fails until connect() is called again. The base URL is ws://HOST:PORT or
// wss://HOST:PORT (-H/--host); --insecure skips certificate checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadhost/client.hpp"

namespace loadhost {

class WebSocketClient : public Client {
 public:
  explicit WebSocketClient(std::string base_url = {}) : Client("websocket", std::move(base_url)) {
    // A receive may wait while a send goes out: one session, one connection.
    set_multiplexed(true);
  }

  // Opens the connection (replacing any current one): a path on the base
  // URL, or a whole ws:// / wss:// URL. Handshake headers with
  // .header("Origin", "..."); subprotocols with .header("subprotocol", "chat").
  CallAwaiter connect(std::string path = "/", CallOptions o = {}) {
    path_ = path;
    return call("connect", std::move(path), {}, std::move(o));
  }
  // One message (text; send_binary for binary). Done once written.
  CallAwaiter send(std::string_view message, CallOptions o = {}) { return call("send", path_, message, std::move(o)); }
  CallAwaiter send_binary(std::string_view message, CallOptions o = {}) {
    o.headers.push_back(Header{"opcode", "binary"});
    return send(message, std::move(o));
  }
  // The next message (a queued one first); body() is its payload and
  // header("opcode") says "text" or "binary".
  CallAwaiter receive(CallOptions o = {}) { return call("receive", path_, {}, std::move(o)); }
  // Sends, then awaits the next message that arrives: the round trip.
  CallAwaiter request(std::string_view message, CallOptions o = {}) {
    return call("request", path_, message, std::move(o));
  }
  CallAwaiter request_binary(std::string_view message, CallOptions o = {}) {
    o.headers.push_back(Header{"opcode", "binary"});
    return request(message, std::move(o));
  }
  // Completes on the pong.
  CallAwaiter ping(std::string_view payload = {}, CallOptions o = {}) {
    return call("ping", path_, payload, std::move(o));
  }
  // The close handshake; status() is the server's close code. Keep `reason`
  // alive until awaited.
  CallAwaiter close(uint16_t code = 1000, std::string_view reason = {}, CallOptions o = {}) {
    o.headers.push_back(Header{"code", std::to_string(code)});
    return call("close", path_, reason, std::move(o));
  }

  // The path (or URL) of the last connect: the stats name of later calls.
  const std::string &path() const { return path_; }

 private:
  std::string path_ = "/";
};

// A user with a WebSocketClient on -H/--host.
class WebSocketUser : public UserBase {
 public:
  WebSocketUser() {
    std::string_view h = target_host();
    if (!h.empty()) client.set_base_url(std::string(h));
  }
  WebSocketClient client;
};

}  // namespace loadhost
