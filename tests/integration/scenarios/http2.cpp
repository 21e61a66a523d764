// HTTP/2 in the integration tests (http2_test.cpp): one HttpUser switched to
// the http2 plugin with one setting, one task per tag, picked with -T.
//
//   get        GET /hello.txt, one request at a time
//   index      GET / (nginx's "hello\n")
//   multiplex  10 x GET /slow at once with when_all (vector form); reports
//              "when_all" "10 x /slow" with the time all ten took, failed
//              when any failed or they did not all come over one connection
//              (the X-Connection header the test's nginx adds)
//   multiplex_http1  the same over HTTP/1.1: when_all opens extra sessions
//   assets     when_all of three different files (tuple form), bodies checked
//   upload     POST 1 MiB to /hello.txt: nghttpd --echo-upload sends it back
//   download   GET /big.bin (2 MiB + 1), size checked
//   start_error  when_all of a good call and one whose protocol is not
//              loaded: the good one completes, then co_await throws
#include <loadhost/loadhost.hpp>

#include <set>

using namespace loadhost;

namespace {

std::string upload_body() {
  std::string body(1024 * 1024, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = char('A' + (i * 13 + i / 1000) % 26);
  return body;
}

}  // namespace

struct Http2User : HttpUser {
  HttpClient http1{"http1"};
  HttpClient missing{"no-such-protocol"};

  Http2User() {
    client.set_protocol("http2");  // the whole switch from HTTP/1.1
    http1.set_base_url(client.base_url());
    missing.set_base_url(client.base_url());
    task(1, &Http2User::get).tag("get");
    task(1, &Http2User::index).tag("index");
    task(1, &Http2User::multiplex).tag("multiplex");
    task(1, &Http2User::multiplex_http1).tag("multiplex_http1");
    task(1, &Http2User::assets).tag("assets");
    task(1, &Http2User::upload).tag("upload");
    task(1, &Http2User::download).tag("download");
    task(1, &Http2User::start_error).tag("start_error");
  }

  Task<> get() { co_await client.get("/hello.txt"); }
  Task<> index() { co_await client.get("/"); }

  Task<> multiplex() { co_await ten_at_once(client, "when_all"); }
  Task<> multiplex_http1() { co_await ten_at_once(http1, "when_all http1"); }

  Task<> ten_at_once(HttpClient &c, std::string_view type) {
    const uint64_t started = now_ns();
    std::vector<CallAwaiter> calls;
    for (int i = 0; i < 10; ++i) calls.push_back(c.get("/slow"));
    std::vector<Response> responses = co_await when_all(std::move(calls));
    const Duration took(double(now_ns() - started) / 1e9);
    std::string error;
    std::set<std::string> connections;
    for (const Response &r : responses) {
      if (!r.ok()) error = *r.error();
      connections.insert(std::string(r.header("x-connection")));
    }
    if (error.empty() && &c == &client && connections.size() != 1)
      error = "the ten responses came over " + std::to_string(connections.size()) + " connections";
    report_request(type, "10 x /slow", took, 0, error);
  }

  Task<> assets() {
    auto [hello, index, big] = co_await when_all(client.get("/hello.txt"), client.get("/index.html").name("/index"),
                                                 client.get("/big.bin").name("/big"));
    if (hello.body() != "hello\n" || index.body().find("h2 test page") == std::string::npos ||
        big.body().size() != 2 * 1024 * 1024 + 1)
      report_error("assets: unexpected bodies");
  }

  Task<> upload() {
    static const std::string body = upload_body();
    Response r = co_await client.post("/hello.txt", body).name("upload").catch_response();
    if (r.ok() && r.body() != body) r.failure("the echo differs from the 1 MiB sent");
  }

  Task<> download() {
    Response r = co_await client.get("/big.bin").catch_response();
    if (r.ok() && r.body().size() != 2 * 1024 * 1024 + 1)
      r.failure("got " + std::to_string(r.body().size()) + " bytes");
  }


  Task<> start_error() { co_await when_all(client.get("/hello.txt"), missing.get("/never")); }
};

LOADHOST_SCENARIO(Http2User);
