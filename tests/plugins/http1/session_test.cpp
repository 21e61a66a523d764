// The session state machine against a scripted host: the test plays both the
// host's transport (connections that connect, deliver bytes, close) and the
// server on the other end.
#include "session.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "support/scripted_host.hpp"

namespace loadhost::http1 {
namespace {

using loadhost::test::call_id;
using loadhost::test::Completion;
using loadhost::test::FakeConn;
using loadhost::test::Req;
using loadhost::test::str;
using loadhost::test::text;
using FakeHost = loadhost::test::ScriptedHost;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

class SessionTest : public ::testing::Test {
 protected:
  std::unique_ptr<Session> open(std::string_view base, std::vector<lh_kv> options = {}) {
    lh_session_config config{};
    config.size = sizeof config;
    config.base_url = str(base);
    config.options = options.data();
    config.option_count = options.size();
    std::string error;
    auto s = Session::create(&fake.host, config, error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  void start(Session& s, int id, const Req& r) {
    lh_request req = r.get();
    s.start(call_id(id), req);
  }

  FakeHost fake;
};

TEST_F(SessionTest, GetOverKeepAlive) {
  auto s = open("http://shop.example:8080/");
  start(*s, 1, {.target = "/item/42?x=1"});
  ASSERT_EQ(fake.conns.size(), 1u);
  FakeConn& c = fake.conn(0);
  EXPECT_EQ(c.host, "shop.example");
  EXPECT_EQ(c.port, 8080);
  EXPECT_FALSE(c.tls);
  const std::string expected =
      "GET /item/42?x=1 HTTP/1.1\r\nHost: shop.example:8080\r\nUser-Agent: loadhost/0.1\r\n\r\n";
  EXPECT_EQ(c.written, expected);
  fake.connect(c);
  fake.deliver(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhe");
  EXPECT_TRUE(fake.done.empty());
  fake.deliver(c, "llo");
  ASSERT_EQ(fake.done.size(), 1u);
  const Completion& d = fake.done[0];
  EXPECT_EQ(d.call, call_id(1));
  EXPECT_EQ(d.status, 200);
  EXPECT_FALSE(d.has_error);
  EXPECT_EQ(d.body, "hello");
  EXPECT_EQ(d.url, "http://shop.example:8080/item/42?x=1");
  EXPECT_EQ(d.bytes_sent, expected.size());
  EXPECT_EQ(d.bytes_received, 5u);
  ASSERT_EQ(d.headers.size(), 2u);
  EXPECT_EQ(d.headers[0].second, "text/plain");

  // The same connection carries the next request.
  c.written.clear();
  start(*s, 2, {.target = "/next"});
  EXPECT_EQ(fake.conns.size(), 1u);
  EXPECT_NE(c.written.find("GET /next HTTP/1.1"), std::string::npos);
  fake.deliver(c, kOk);
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[1].body, "ok");
}

TEST_F(SessionTest, HttpsOptionsAndDefaultHeaders) {
  fake.options["insecure"] = "";  // the run flag --insecure
  std::vector<lh_kv> options = {{str("header.X-Api-Key"), str("k1")},
                                {str("header.User-Agent"), str("locust-ish")}};
  auto s = open("https://secure.example", options);
  start(*s, 1, {.target = "/"});
  FakeConn& c = fake.conn(0);
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.port, 443);
  EXPECT_FALSE(c.tls_verify);
  EXPECT_EQ(c.sni, "secure.example");
  EXPECT_EQ(c.written, "GET / HTTP/1.1\r\nHost: secure.example\r\nUser-Agent: locust-ish\r\nX-Api-Key: k1\r\n\r\n");
}

TEST_F(SessionTest, VerifiesTlsByDefaultAndSendsNoSniForIpLiterals) {
  auto s = open("https://127.0.0.1:8443");
  start(*s, 1, {});
  EXPECT_TRUE(fake.conn(0).tls_verify);
  EXPECT_TRUE(fake.conn(0).sni_absent);
  std::vector<lh_kv> options = {{str("insecure"), str("true")}};
  auto s2 = open("https://h", options);
  start(*s2, 2, {});
  EXPECT_FALSE(fake.conn(1).tls_verify);
}

TEST_F(SessionTest, RejectsBadConfiguration) {
  lh_session_config config{};
  config.size = sizeof config;
  std::string error;
  config.base_url = str("ftp://h");
  EXPECT_FALSE(Session::create(&fake.host, config, error));
  EXPECT_EQ(error, "http1: invalid base URL \"ftp://h\": unsupported scheme (only http and https)");
  std::vector<lh_kv> options = {{str("insecure"), str("maybe")}};
  config.base_url = str("http://h");
  config.options = options.data();
  config.option_count = 1;
  EXPECT_FALSE(Session::create(&fake.host, config, error));
  EXPECT_EQ(error, "http1: option 'insecure': 'maybe' is not a boolean (true/false, 1/0, yes/no, on/off)");
}

TEST_F(SessionTest, HttpErrorStatusIsAFailureNamedLikeLocust) {
  auto s = open("http://h");
  start(*s, 1, {.target = "/missing"});
  fake.deliver(fake.conn(0), "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnope");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].status, 404);
  EXPECT_EQ(fake.done[0].error, "HTTP 404 Not Found");
  EXPECT_EQ(fake.done[0].body, "nop");
  // The extra byte was not asked for: the connection is not reused.
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
}

TEST_F(SessionTest, ConnectionCloseIsHonoured) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.deliver(fake.conn(0), "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
  start(*s, 2, {});
  EXPECT_EQ(fake.conns.size(), 2u);

  // And when the caller asks for it.
  fake.deliver(fake.conn(1), kOk);
  start(*s, 3, {.headers = {{str("Connection"), str("close")}}});
  EXPECT_EQ(fake.conns.size(), 2u);
  fake.deliver(fake.conn(1), kOk);
  EXPECT_TRUE(fake.conn(1).closed_by_plugin);
}

TEST_F(SessionTest, BodyDelimitedByCloseCompletesOnClose) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.deliver(fake.conn(0), "HTTP/1.0 200 OK\r\n\r\nall of it");
  EXPECT_TRUE(fake.done.empty());
  fake.peer_close(fake.conn(0));
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_FALSE(fake.done[0].has_error);
  EXPECT_EQ(fake.done[0].body, "all of it");
}

TEST_F(SessionTest, IdleConnectionClosedByServerIsReplaced) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.deliver(fake.conn(0), kOk);
  fake.peer_close(fake.conn(0));  // keep-alive timeout on the server
  start(*s, 2, {});
  ASSERT_EQ(fake.conns.size(), 2u);
  fake.deliver(fake.conn(1), kOk);
  EXPECT_EQ(fake.done.size(), 2u);
  EXPECT_FALSE(fake.done[1].has_error);
}

TEST_F(SessionTest, KeepAliveRaceRetriesOnceOnANewConnection) {
  auto s = open("http://h");
  start(*s, 1, {.method = "POST", .target = "/a", .body = "x=1"});
  fake.deliver(fake.conn(0), kOk);
  start(*s, 2, {.method = "POST", .target = "/a", .body = "x=1"});
  const std::string request = fake.conn(0).written.substr(fake.conn(0).written.size() / 2);
  // The server had already decided to close: no byte of a response.
  fake.peer_close(fake.conn(0), str("connection reset by peer"));
  ASSERT_EQ(fake.conns.size(), 2u);
  EXPECT_EQ(fake.conn(1).written, request);
  EXPECT_TRUE(fake.done.size() == 1u);
  fake.deliver(fake.conn(1), kOk);
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_FALSE(fake.done[1].has_error);
  EXPECT_EQ(fake.done[1].bytes_sent, 2 * request.size());
}

TEST_F(SessionTest, NoRetryOnAFreshConnectionOrAfterResponseBytes) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.peer_close(fake.conn(0));  // fresh connection: a real failure
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "connection closed before response complete");

  start(*s, 2, {});
  fake.deliver(fake.conn(1), kOk);
  start(*s, 3, {});
  fake.deliver(fake.conn(1), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart");
  fake.peer_close(fake.conn(1), str("connection reset by peer"));
  ASSERT_EQ(fake.done.size(), 3u);
  EXPECT_EQ(fake.done[2].error, "connection closed before response complete: connection reset by peer");
  EXPECT_EQ(fake.conns.size(), 2u);

  // Still usable: the next call reconnects.
  start(*s, 4, {});
  EXPECT_EQ(fake.conns.size(), 3u);
}

TEST_F(SessionTest, ConnectFailureThenRecovery) {
  auto s = open("http://h:1");
  start(*s, 1, {});
  fake.refuse(fake.conn(0), "connection refused");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "connect: connection refused");
  EXPECT_EQ(fake.done[0].status, 0);
  EXPECT_EQ(fake.done[0].bytes_sent, 0u);
  start(*s, 2, {});
  ASSERT_EQ(fake.conns.size(), 2u);
  fake.connect(fake.conn(1));
  fake.deliver(fake.conn(1), kOk);
  EXPECT_FALSE(fake.done[1].has_error);
}

TEST_F(SessionTest, MalformedResponseClosesAndReports) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.deliver(fake.conn(0), "garbage\r\n\r\n");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "malformed response: invalid status line");
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
  start(*s, 2, {});
  EXPECT_EQ(fake.conns.size(), 2u);
}

TEST_F(SessionTest, OneRequestAtATime) {
  auto s = open("http://h");
  start(*s, 1, {});
  start(*s, 2, {});
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].call, call_id(2));
  EXPECT_EQ(fake.done[0].error, "http1: a session runs one request at a time");
  fake.deliver(fake.conn(0), kOk);
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[1].call, call_id(1));
  EXPECT_FALSE(fake.done[1].has_error);
}

TEST_F(SessionTest, CancelClosesTheConnectionAndForgetsTheCall) {
  auto s = open("http://h");
  start(*s, 1, {});
  s->cancel(call_id(1));
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
  EXPECT_TRUE(fake.done.empty());
  start(*s, 2, {});
  ASSERT_EQ(fake.conns.size(), 2u);
  fake.deliver(fake.conn(1), kOk);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].call, call_id(2));
}

TEST_F(SessionTest, RelativeTargetWithoutBaseUrl) {
  auto s = open("");
  start(*s, 1, {.target = "/x"});
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "http1: relative target \"/x\" but the session has no base URL (set the host)");
  start(*s, 2, {.target = "http://other:81/y"});
  ASSERT_EQ(fake.conns.size(), 1u);
  EXPECT_EQ(fake.conn(0).host, "other");
  EXPECT_EQ(fake.conn(0).port, 81);
}

TEST_F(SessionTest, CookiesRoundTrip) {
  auto s = open("http://h");
  start(*s, 1, {.target = "/login"});
  fake.deliver(fake.conn(0), "HTTP/1.1 200 OK\r\nSet-Cookie: sid=abc; Path=/\r\nSet-Cookie: t=1\r\nContent-Length: 0\r\n\r\n");
  start(*s, 2, {.target = "/cart"});
  EXPECT_NE(fake.conn(0).written.find("\r\nCookie: sid=abc; t=1\r\n"), std::string::npos);
  EXPECT_EQ(s->cookies().size(), 2u);
}

TEST_F(SessionTest, RedirectsAreFollowedWithCookiesAndMethodRules) {
  auto s = open("http://h");
  start(*s, 1, {.method = "POST", .target = "/login",
                .headers = {{str("Content-Type"), str("application/x-www-form-urlencoded")}},
                .body = "user=a"});
  fake.deliver(fake.conn(0),
             "HTTP/1.1 302 Found\r\nLocation: /home\r\nSet-Cookie: sid=s1\r\nContent-Length: 4\r\n\r\nmove");
  EXPECT_TRUE(fake.done.empty());
  const std::string& w = fake.conn(0).written;
  const std::string second = w.substr(w.find("GET /home"));
  EXPECT_EQ(second, "GET /home HTTP/1.1\r\nHost: h\r\nUser-Agent: loadhost/0.1\r\nCookie: sid=s1\r\n\r\n");
  fake.deliver(fake.conn(0), "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhome");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].status, 200);
  EXPECT_EQ(fake.done[0].url, "http://h/home");
  EXPECT_EQ(fake.done[0].body, "home");
  EXPECT_EQ(fake.done[0].bytes_received, 4u);
  EXPECT_EQ(fake.done[0].bytes_sent, w.size());
}

TEST_F(SessionTest, RedirectToAnotherOriginKeepsBothConnections) {
  auto s = open("http://h");
  start(*s, 1, {.method = "PUT", .target = "/a", .headers = {{str("Authorization"), str("secret")}},
                .body = "data"});
  fake.deliver(fake.conn(0), "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://other/b\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(fake.conns.size(), 2u);
  FakeConn& tls = fake.conn(1);
  EXPECT_TRUE(tls.tls);
  // 307 keeps the method and the body; credentials stay with their host.
  EXPECT_EQ(tls.written, "PUT /b HTTP/1.1\r\nHost: other\r\nUser-Agent: loadhost/0.1\r\nContent-Length: 4\r\n\r\ndata");
  fake.deliver(tls, kOk);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].url, "https://other/b");
  EXPECT_FALSE(fake.conn(0).gone);  // still pooled for the next request
}

TEST_F(SessionTest, RedirectsCanBeRefusedOrRunOut) {
  auto s = open("http://h");
  start(*s, 1, {.target = "/r", .flags = LH_REQUEST_NO_REDIRECTS});
  fake.deliver(fake.conn(0), "HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].status, 301);
  EXPECT_FALSE(fake.done[0].has_error);

  start(*s, 2, {.target = "/loop"});
  for (int i = 0; i <= Session::kMaxRedirects; ++i)
    fake.deliver(fake.conn(0), "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[1].error, "http1: more than 10 redirects");
  EXPECT_EQ(fake.done[1].status, 302);
}

TEST_F(SessionTest, DiscardBodyCountsBytes) {
  auto s = open("http://h");
  start(*s, 1, {.flags = LH_REQUEST_DISCARD_BODY});
  fake.deliver(fake.conn(0), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].body, "");
  EXPECT_EQ(fake.done[0].bytes_received, 4u);
}

TEST_F(SessionTest, UnsolicitedBytesOnAnIdleConnectionCloseIt) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.deliver(fake.conn(0), kOk);
  fake.deliver(fake.conn(0), "HTTP/1.1 408 Request Timeout\r\n\r\n");
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
  EXPECT_EQ(fake.done.size(), 1u);
}

TEST_F(SessionTest, DestroyClosesEveryConnection) {
  auto s = open("http://h");
  start(*s, 1, {});
  fake.deliver(fake.conn(0), kOk);
  start(*s, 2, {.target = "http://other/"});
  s.reset();
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
  EXPECT_TRUE(fake.conn(1).closed_by_plugin);
}

TEST(AllocationCounter, SeesAllocations) {
  AllocationCounter counter;
  auto p = std::make_unique<std::string>(100, 'x');
  EXPECT_GE(counter.count(), 1u);
}

TEST_F(SessionTest, SteadyStateDoesNotAllocate) {
  auto s = open("http://h:8080");
  const Req req{.method = "POST",
                .target = "/api/items?page=2",
                .headers = {{str("Content-Type"), str("application/json")}},
                .body = "{\"n\":1}"};
  const std::string response =
      "HTTP/1.1 200 OK\r\nSet-Cookie: sid=abc; Path=/\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  const lh_request r = req.get();
  fake.record = false;
  for (int i = 0; i < 3; ++i) {  // warm up: buffers reach their size
    if (!fake.conns.empty()) fake.conn(0).written.clear();
    s->start(call_id(1), r);
    fake.deliver(fake.conn(0), response);
  }
  ASSERT_EQ(fake.conns.size(), 1u);
  AllocationCounter counter;
  for (int i = 0; i < 100; ++i) {
    fake.conn(0).written.clear();
    s->start(call_id(1), r);
    fake.deliver(fake.conn(0), response);
  }
  const size_t allocations = counter.count();
  EXPECT_EQ(fake.completions, 103u);
  EXPECT_EQ(fake.last_status, 200);
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace loadhost::http1
