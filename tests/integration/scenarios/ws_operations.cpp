// Every WebSocket operation against the echo server
// (tests/support/ws_echo_server), through the SDK's WebSocketUser. Each
// tagged task is one story; it checks what came back and reports a failure
// naming the mismatch, so a clean run means the story worked end to end.
//   ops          connect, request (text and binary), send + receive, ping, close
//   push         messages the server pushes on open wait in the queue for receive
//   subprotocol  the server's choice comes back in the connect's metadata
//   timeout      a receive with nothing to receive times out (200 ms)
//   reconnect    a dropped connection fails calls until connect is called again
#include <loadhost/loadhost.hpp>
#include <loadhost/websocket.hpp>

using namespace loadhost;

struct WsOperations : WebSocketUser {
  WsOperations() {
    task(1, &WsOperations::ops).tag("ops");
    task(1, &WsOperations::push).tag("push");
    task(1, &WsOperations::subprotocol).tag("subprotocol");
    task(1, &WsOperations::timeout).tag("timeout");
    task(1, &WsOperations::reconnect).tag("reconnect");
  }

  static void expect(Response &r, bool good, std::string_view what) {
    if (r.ok() && !good) r.failure(std::string(what) + ", got '" + r.body() + "'");
  }

  Task<> ops() {
    auto c = co_await client.connect("/echo");
    if (!c.ok()) co_return;
    const std::string text = "hello " + std::to_string(random()() % 1000);
    auto r = co_await client.request(text).catch_response();
    expect(r, r.body() == text && r.header("opcode") == "text", "request: no text echo");
    const std::string bytes("\x00\x01\xfe\xff", 4);
    auto b = co_await client.request_binary(bytes).catch_response();
    expect(b, b.body() == bytes && b.header("opcode") == "binary", "request_binary: no binary echo");
    co_await client.send("one");
    auto got = co_await client.receive().catch_response();
    expect(got, got.body() == "one", "send + receive: no echo");
    co_await client.ping("p");
    const std::string reason = "done";
    auto closed = co_await client.close(1000, reason).catch_response();
    expect(closed, closed.status() == 1000, "close: the server's code is not 1000");
  }

  Task<> push() {
    co_await client.connect("/push?n=5");
    for (int i = 1; i <= 5; ++i) {
      auto r = co_await client.receive().catch_response();
      expect(r, r.body() == "push " + std::to_string(i), "receive: pushed messages out of order");
    }
    co_await client.close();
  }

  Task<> subprotocol() {
    auto c = co_await client.connect("/echo").header("subprotocol", "chat, superchat").catch_response();
    expect(c, c.status() == 101 && c.header("subprotocol") == "chat", "connect: the subprotocol chosen is not chat");
    co_await client.close();
  }

  Task<> timeout() {
    co_await client.connect("/echo");
    co_await client.receive().timeout(200ms);  // nothing comes: a timeout failure
    co_await client.close();
  }

  Task<> reconnect() {
    co_await client.connect("/close");
    co_await client.request("bye");  // the server drops the connection: fails with code 1006
    co_await client.request("again");  // fails: not connected
    co_await client.connect("/echo");
    auto r = co_await client.request("back").catch_response();
    expect(r, r.body() == "back", "request after reconnect: no echo");
    co_await client.close();
  }
};

LOADHOST_SCENARIO(WsOperations);
