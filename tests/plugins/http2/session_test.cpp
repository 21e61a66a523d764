// The HTTP/2 session against a scripted host and a scripted server: the test
// plays the host's transport (connections that connect, deliver bytes,
// close) and, through H2TestServer, the HTTP/2 server on the other end.
#include "http2/session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "h2_test_server.hpp"
#include "support/scripted_host.hpp"

namespace loadhost::http2 {
namespace {

using http1::AllocationCounter;
using test::H2TestServer;

using loadhost::test::call_id;
using loadhost::test::Completion;
using loadhost::test::FakeConn;
using loadhost::test::Req;
using loadhost::test::str;
using loadhost::test::text;
using FakeHost = loadhost::test::ScriptedHost;

// Moves bytes both ways between the plugin and `server` until both are
// quiet (the client answers SETTINGS, sends WINDOW_UPDATEs, ...).
void exchange(FakeHost& fake, FakeConn& c, H2TestServer& server) {
  for (int round = 0; round < 1000; ++round) {
    fake.run_timers();
    std::string to_server;
    to_server.swap(c.written);
    if (!to_server.empty()) {
      ASSERT_TRUE(server.receive(to_server));
    }
    const std::string to_client = server.output();
    if (to_client.empty() && to_server.empty()) return;
    if (!to_client.empty() && !c.gone) fake.deliver(c, to_client);
  }
  FAIL() << "client and server never went quiet";
}

class Http2Session : public ::testing::Test {
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
  const Completion* completion(int id) const {
    for (const auto& d : fake.done)
      if (d.call == call_id(id)) return &d;
    return nullptr;
  }

  FakeHost fake;
};

constexpr uint32_t kOneStreamAtATime = 1;

TEST_F(Http2Session, GetOverH2cWithPriorKnowledge) {
  auto s = open("http://shop.example:8080/");
  start(*s, 1, {.target = "/item/42?x=1"});
  ASSERT_EQ(fake.conns.size(), 1u);
  FakeConn& c = fake.conn(0);
  EXPECT_EQ(c.host, "shop.example");
  EXPECT_EQ(c.port, 8080);
  EXPECT_FALSE(c.tls);
  EXPECT_EQ(c.alpn, "") << "h2c needs no ALPN";
  EXPECT_TRUE(c.written.empty()) << "sent at the end of the loop turn";
  fake.run_timers();
  EXPECT_EQ(c.written.rfind("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0), 0u) << "the preface, before connected";
  EXPECT_EQ(c.writes, 1u) << "preface, SETTINGS, WINDOW_UPDATE and HEADERS in one write";

  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 1u);
  const auto& r = server.requests[0];
  EXPECT_EQ(r.header(":method"), "GET");
  EXPECT_EQ(r.header(":scheme"), "http");
  EXPECT_EQ(r.header(":authority"), "shop.example:8080");
  EXPECT_EQ(r.header(":path"), "/item/42?x=1");
  EXPECT_EQ(r.header("user-agent"), "loadhost/0.1");
  EXPECT_TRUE(r.complete);

  server.respond(r.stream_id, 200, "hello", {{"content-type", "text/plain"}});
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  const Completion& d = fake.done[0];
  EXPECT_EQ(d.call, call_id(1));
  EXPECT_EQ(d.status, 200);
  EXPECT_FALSE(d.has_error) << d.error;
  EXPECT_EQ(d.body, "hello");
  EXPECT_EQ(d.url, "http://shop.example:8080/item/42?x=1");
  EXPECT_EQ(d.bytes_received, 5u);
  EXPECT_GT(d.bytes_sent, 9u);
  EXPECT_LT(d.bytes_sent, 100u) << "HEADERS frame only";
  EXPECT_EQ(d.header("content-type"), "text/plain");

  // The same connection carries the next request, on the next stream.
  start(*s, 2, {.target = "/next"});
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_EQ(server.requests[1].stream_id, 3);
  EXPECT_EQ(fake.conns.size(), 1u);
}

TEST_F(Http2Session, ManyCallsInFlightOnOneConnection) {
  auto s = open("http://h");
  H2TestServer server;
  start(*s, 1, {});
  FakeConn& c = fake.conn(0);
  fake.connect(c);
  exchange(fake, c, server);
  server.respond(1, 200);
  exchange(fake, c, server);
  fake.done.clear();
  server.requests.clear();

  // As a when_all of ten: started in one loop turn, they leave in one write.
  const size_t writes = c.writes;
  for (int i = 1; i <= 10; ++i) start(*s, i, {.target = "/r" + std::to_string(i)});
  fake.run_timers();
  EXPECT_EQ(c.writes, writes + 1);
  ASSERT_EQ(fake.conns.size(), 1u);
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 10u) << "all ten are streams before any answer";
  // Answer in reverse order: each completion finds its own call.
  for (int i = 9; i >= 0; --i) server.respond(server.requests[i].stream_id, 200, server.requests[i].header(":path"));
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 10u);
  for (int i = 1; i <= 10; ++i) {
    const Completion* d = completion(i);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->body, "/r" + std::to_string(i));
  }
  EXPECT_EQ(fake.done.front().call, call_id(10));
  EXPECT_EQ(fake.conns.size(), 1u);
}

TEST_F(Http2Session, QueuesBeyondTheServersMaxConcurrentStreams) {
  auto s = open("http://h");
  H2TestServer server({{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 2}});
  start(*s, 1, {});
  FakeConn& c = fake.conn(0);
  fake.connect(c);
  exchange(fake, c, server);  // the client now knows the limit
  server.respond(1, 200);
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);

  for (int i = 2; i <= 6; ++i) start(*s, i, {});
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 3u) << "two streams at a time";
  for (size_t next = 1; next < 6; ++next) {
    server.respond(server.requests[next].stream_id, 200);
    exchange(fake, c, server);
    EXPECT_EQ(server.requests.size(), std::min<size_t>(next + 3, 6)) << "one more as one closes";
  }
  ASSERT_EQ(fake.done.size(), 6u);
  for (const auto& d : fake.done) EXPECT_FALSE(d.has_error) << d.error;
}

TEST_F(Http2Session, StreamsRefusedBeforeSettingsArrivedAreSentAgain) {
  // The client may open up to 100 streams before it learns the server's
  // limit; a server refuses the excess with REFUSED_STREAM, unprocessed.
  auto s = open("http://h");
  H2TestServer server({{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 2}});
  for (int i = 1; i <= 5; ++i) start(*s, i, {});
  FakeConn& c = fake.conn(0);
  fake.connect(c);
  exchange(fake, c, server);
  // nghttp2's server took streams 1 and 3 and refused 5, 7 and 9; the
  // client knows the limit now and waits for a free stream.
  EXPECT_EQ(server.requests.size(), 2u);
  EXPECT_TRUE(fake.done.empty());
  std::set<int32_t> answered;
  for (int round = 0; round < 5 && fake.done.size() < 5; ++round) {
    for (const auto& r : server.requests)
      if (r.complete && !r.reset && answered.insert(r.stream_id).second) server.respond(r.stream_id, 200);
    exchange(fake, c, server);
  }
  ASSERT_EQ(fake.done.size(), 5u);
  for (const auto& d : fake.done) EXPECT_FALSE(d.has_error) << d.error;
  EXPECT_EQ(server.requests.size(), 5u) << "each refused one went out once more";
  EXPECT_EQ(fake.conns.size(), 1u);
}

TEST_F(Http2Session, LargeBodiesBothWaysUnderFlowControl) {
  auto s = open("http://h");
  std::string upload(1536 * 1024, 'u');
  for (size_t i = 0; i < upload.size(); i += 4096) upload[i] = char('a' + i / 4096 % 26);
  start(*s, 1, {.method = "POST", .target = "/upload", .body = upload});
  FakeConn& c = fake.conn(0);
  H2TestServer server;  // default windows: 64 KB, so the upload waits for WINDOW_UPDATEs
  fake.connect(c);
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_TRUE(server.requests[0].complete);
  EXPECT_EQ(server.requests[0].body, upload);
  EXPECT_EQ(server.requests[0].header("content-length"), std::to_string(upload.size()));

  std::string download(2 * 1024 * 1024 + 17, 'd');
  for (size_t i = 0; i < download.size(); i += 1000) download[i] = char('A' + i / 1000 % 26);
  const size_t updates_before = size_t(server.window_updates);
  server.respond(1, 200, download);
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_FALSE(fake.done[0].has_error) << fake.done[0].error;
  EXPECT_EQ(fake.done[0].bytes_received, download.size());
  EXPECT_TRUE(fake.done[0].body == download);
  EXPECT_GT(fake.done[0].bytes_sent, upload.size());
  EXPECT_GT(size_t(server.window_updates), updates_before) << "the client reopens its windows";
}

TEST_F(Http2Session, ResetStreamFailsOnlyThatCall) {
  auto s = open("http://h");
  start(*s, 1, {});
  start(*s, 2, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  server.reset(1, NGHTTP2_INTERNAL_ERROR);
  server.respond(3, 200, "ok");
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(completion(1)->error, "http2: stream reset by server: INTERNAL_ERROR");
  EXPECT_FALSE(completion(2)->has_error);
  EXPECT_FALSE(c.gone) << "the connection stays";
}

TEST_F(Http2Session, RefusedStreamIsRetriedOnceThenFails) {
  auto s = open("http://h");
  start(*s, 1, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  server.reset(1, NGHTTP2_REFUSED_STREAM);
  exchange(fake, c, server);
  EXPECT_TRUE(fake.done.empty()) << "sent again";
  ASSERT_EQ(server.requests.size(), 2u);
  server.reset(3, NGHTTP2_REFUSED_STREAM);
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "http2: stream reset by server: REFUSED_STREAM");
}

TEST_F(Http2Session, GoawayWithAnErrorFailsTheStreamsAboveItsLastId) {
  auto s = open("http://h");
  for (int i = 1; i <= 3; ++i) start(*s, i, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 3u);
  server.respond(1, 200, "first");
  server.goaway(1, NGHTTP2_ENHANCE_YOUR_CALM);
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 3u);
  EXPECT_FALSE(completion(1)->has_error) << "stream 1 was kept: it finishes";
  EXPECT_EQ(completion(2)->error, "http2: server sent GOAWAY (ENHANCE_YOUR_CALM)");
  EXPECT_EQ(completion(3)->error, "http2: server sent GOAWAY (ENHANCE_YOUR_CALM)");
  EXPECT_TRUE(c.closed_by_plugin) << "nothing left on it";

  // New calls get a new connection.
  start(*s, 4, {});
  ASSERT_EQ(fake.conns.size(), 2u);
  H2TestServer server2;
  fake.connect(fake.conn(1));
  exchange(fake, fake.conn(1), server2);
  server2.respond(1, 200);
  exchange(fake, fake.conn(1), server2);
  EXPECT_FALSE(completion(4)->has_error);
}

TEST_F(Http2Session, GracefulGoawayMovesUnprocessedStreamsToANewConnection) {
  auto s = open("http://h");
  for (int i = 1; i <= 3; ++i) start(*s, i, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  server.goaway(1, NGHTTP2_NO_ERROR);  // e.g. nginx at keepalive_requests
  exchange(fake, c, server);
  ASSERT_EQ(fake.conns.size(), 2u) << "streams 3 and 5 go out again elsewhere";
  FakeConn& c2 = fake.conn(1);
  H2TestServer server2;
  fake.connect(c2);
  exchange(fake, c2, server2);
  ASSERT_EQ(server2.requests.size(), 2u);
  server2.respond(1, 200);
  server2.respond(3, 200);
  exchange(fake, c2, server2);
  server.respond(1, 200);
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 3u);
  for (const auto& d : fake.done) EXPECT_FALSE(d.has_error) << d.error;
  EXPECT_TRUE(c.closed_by_plugin);
  EXPECT_EQ(s->connection_count(), 1u);
}

TEST_F(Http2Session, CancelResetsOnlyThatStream) {
  auto s = open("http://h");
  start(*s, 1, {});
  start(*s, 2, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  s->cancel(call_id(1));
  exchange(fake, c, server);
  ASSERT_TRUE(server.find(1));
  EXPECT_TRUE(server.find(1)->reset);
  EXPECT_EQ(server.find(1)->reset_code, uint32_t(NGHTTP2_CANCEL));
  server.respond(3, 200);
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].call, call_id(2));
  EXPECT_FALSE(c.gone);

  // A late answer for the cancelled stream is ignored; the slot is reused.
  start(*s, 3, {});
  exchange(fake, c, server);
  server.respond(5, 200, "again");
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[1].body, "again");
}

TEST_F(Http2Session, CancelOfAQueuedCallSendsNothing) {
  auto s = open("http://h");
  H2TestServer server({{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kOneStreamAtATime}});
  start(*s, 1, {});
  FakeConn& c = fake.conn(0);
  fake.connect(c);
  exchange(fake, c, server);
  start(*s, 2, {.target = "/queued"});
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 1u);
  s->cancel(call_id(2));
  server.respond(1, 200);
  exchange(fake, c, server);
  EXPECT_EQ(server.requests.size(), 1u) << "the cancelled call never left";
  ASSERT_EQ(fake.done.size(), 1u);
}

TEST_F(Http2Session, ServerGoneMidFlightFailsThenTheUserReconnects) {
  auto s = open("http://h");
  start(*s, 1, {});
  start(*s, 2, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  fake.peer_close(c, str("Connection reset by peer"));
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[0].error, "http2: connection closed before response complete: Connection reset by peer");

  start(*s, 3, {});
  ASSERT_EQ(fake.conns.size(), 2u);
  fake.refuse(fake.conn(1), "connect to h:80: Connection refused");
  ASSERT_EQ(fake.done.size(), 3u);
  EXPECT_EQ(fake.done[2].error, "connect: connect to h:80: Connection refused");

  start(*s, 4, {});
  ASSERT_EQ(fake.conns.size(), 3u);
  H2TestServer restarted;
  fake.connect(fake.conn(2));
  exchange(fake, fake.conn(2), restarted);
  restarted.respond(1, 200);
  exchange(fake, fake.conn(2), restarted);
  ASSERT_EQ(fake.done.size(), 4u);
  EXPECT_FALSE(fake.done[3].has_error);
  EXPECT_EQ(s->connection_count(), 1u);
}

TEST_F(Http2Session, TlsAsksForH2AndFailsWhenTheServerPicksAnotherProtocol) {
  fake.options["insecure"] = "";  // the run flag --insecure
  auto s = open("https://secure.example");
  start(*s, 1, {});
  FakeConn& c = fake.conn(0);
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.port, 443);
  EXPECT_FALSE(c.tls_verify);
  EXPECT_EQ(c.alpn, std::string("\x02h2"));
  fake.connect(c, "http/1.1");
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "http2: server did not negotiate h2 via ALPN");
  EXPECT_TRUE(c.closed_by_plugin);

  start(*s, 2, {});
  FakeConn& c2 = fake.conn(1);
  H2TestServer server;
  fake.connect(c2, "h2");
  exchange(fake, c2, server);
  EXPECT_EQ(server.requests.at(0).header(":scheme"), "https");
  EXPECT_EQ(server.requests.at(0).header(":authority"), "secure.example");
}

TEST_F(Http2Session, ErrorStatusIsAFailureWithTheStandardReasonPhrase) {
  auto s = open("http://h");
  start(*s, 1, {.target = "/missing"});
  start(*s, 2, {.target = "/down"});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  server.respond(1, 404, "nope");
  server.respond(3, 503);
  exchange(fake, c, server);
  EXPECT_EQ(completion(1)->error, "HTTP 404 Not Found");
  EXPECT_EQ(completion(1)->status, 404);
  EXPECT_EQ(completion(1)->body, "nope");
  EXPECT_EQ(completion(2)->error, "HTTP 503 Service Unavailable");
}

TEST_F(Http2Session, RedirectsAreFollowedWithCookiesAndMethodRules) {
  auto s = open("http://h");
  start(*s, 1, {.method = "POST", .target = "/login", .headers = {{str("Content-Type"), str("text/plain")}},
                .body = "user=a"});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  EXPECT_EQ(server.requests[0].header("content-type"), "text/plain");
  server.respond(1, 303, {}, {{"location", "/home"}, {"set-cookie", "sid=42; Path=/"}});
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 2u);
  const auto& next = server.requests[1];
  EXPECT_EQ(next.header(":method"), "GET");
  EXPECT_EQ(next.header(":path"), "/home");
  EXPECT_EQ(next.header("cookie"), "sid=42");
  EXPECT_EQ(next.header("content-type"), "") << "a 303 drops the body and its headers";
  EXPECT_EQ(next.body, "");
  server.respond(3, 200, "welcome");
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].body, "welcome");
  EXPECT_EQ(fake.done[0].url, "http://h/home");
  EXPECT_EQ(s->cookies().size(), 1u);

  // NO_REDIRECTS: the 3xx is the answer.
  start(*s, 2, {.target = "/old", .flags = LH_REQUEST_NO_REDIRECTS});
  exchange(fake, c, server);
  server.respond(5, 301, {}, {{"location", "/new"}});
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[1].status, 301);
  EXPECT_FALSE(fake.done[1].has_error);
}

TEST_F(Http2Session, RedirectLoopStopsAfterTen) {
  auto s = open("http://h");
  start(*s, 1, {.target = "/loop"});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  for (int i = 0; i < 12 && fake.done.empty(); ++i) {
    exchange(fake, c, server);
    server.respond(server.requests.back().stream_id, 302, {}, {{"location", "/loop"}});
  }
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "http2: more than 10 redirects");
  EXPECT_EQ(server.requests.size(), 11u);
}

TEST_F(Http2Session, HeadersAreLowerCasedAndHttp1OnlyOnesDropped) {
  std::vector<lh_kv> options = {{str("header.X-Api-Key"), str("k1")}, {str("header.User-Agent"), str("custom")}};
  auto s = open("http://h:8080", options);
  start(*s, 1, {.target = "/a b", .headers = {{str("Host"), str("other.example")},
                                                {str("Connection"), str("close")},
                                                {str("X-Trace"), str("t1")},
                                                {str("TE"), str("trailers")}}});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  ASSERT_EQ(server.requests.size(), 1u) << "nghttp2's server rejects malformed requests";
  const auto& r = server.requests[0];
  EXPECT_EQ(r.header(":authority"), "other.example");
  EXPECT_EQ(r.header(":path"), "/a%20b");
  EXPECT_EQ(r.header("x-trace"), "t1");
  EXPECT_EQ(r.header("x-api-key"), "k1");
  EXPECT_EQ(r.header("user-agent"), "custom");
  EXPECT_EQ(r.header("te"), "trailers");
  EXPECT_EQ(r.header("connection"), "");
  EXPECT_EQ(r.header("host"), "");
}

TEST_F(Http2Session, InterimResponsesAreSkippedAndTrailersKept) {
  auto s = open("http://h");
  start(*s, 1, {});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  server.interim(1, 103);
  server.respond(1, 200, "body", {{"x-final", "1"}}, {{"x-checksum", "abc"}});
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  const Completion& d = fake.done[0];
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.header("link"), "") << "the 103's fields are not the response's";
  EXPECT_EQ(d.header("x-final"), "1");
  EXPECT_EQ(d.header("x-checksum"), "abc");
}

TEST_F(Http2Session, DiscardBodyCountsBytes) {
  auto s = open("http://h");
  start(*s, 1, {.flags = LH_REQUEST_DISCARD_BODY});
  FakeConn& c = fake.conn(0);
  H2TestServer server;
  fake.connect(c);
  exchange(fake, c, server);
  server.respond(1, 200, std::string(100000, 'x'));
  exchange(fake, c, server);
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].body, "");
  EXPECT_EQ(fake.done[0].bytes_received, 100000u);
}

TEST_F(Http2Session, BadRequestsFailAtOnce) {
  auto s = open("");
  start(*s, 1, {.target = "/x"});
  ASSERT_EQ(fake.done.size(), 1u);
  EXPECT_EQ(fake.done[0].error, "http2: relative target \"/x\" but the session has no base URL (set the host)");
  start(*s, 2, {.target = "http://h/", .headers = {{str("Bad Name"), str("v")}}});
  ASSERT_EQ(fake.done.size(), 2u);
  EXPECT_EQ(fake.done[1].error,
            "http2: invalid request header \"Bad Name\" (the name must be a token, the value may not "
            "contain CR, LF or NUL)");

  lh_session_config config{};
  config.size = sizeof config;
  config.base_url = str("ftp://h");
  std::string error;
  EXPECT_FALSE(Session::create(&fake.host, config, error));
  EXPECT_EQ(error, "http2: invalid base URL \"ftp://h\": unsupported scheme (only http and https)");
}

TEST_F(Http2Session, DestroyClosesEveryConnection) {
  auto s = open("http://h");
  start(*s, 1, {});
  start(*s, 2, {.target = "http://other/"});
  ASSERT_EQ(fake.conns.size(), 2u);
  s->cancel(call_id(1));
  s->cancel(call_id(2));
  s.reset();
  EXPECT_TRUE(fake.conn(0).closed_by_plugin);
  EXPECT_TRUE(fake.conn(1).closed_by_plugin);
  EXPECT_TRUE(fake.done.empty());
}

TEST_F(Http2Session, SteadyStateDoesNotAllocate) {
  auto s = open("http://h");
  FakeConn* c = nullptr;
  H2TestServer server;
  fake.record = false;
  fake.conns.reserve(4);
  size_t allocations = 0;
  // Ten calls in flight at a time, as a when_all of ten would keep.
  auto round = [&](bool count) {
    {
      AllocationCounter counter;
      for (int i = 1; i <= 10; ++i) start(*s, i, {.target = "/item"});
      fake.run_timers();
      if (count) allocations += counter.count();
    }
    if (c == nullptr) {
      c = &fake.conn(0);
      c->written.reserve(1 << 16);
      fake.connect(*c);
    }
    std::string to_server;
    to_server.swap(c->written);
    ASSERT_TRUE(server.receive(to_server));
    c->written.swap(to_server);
    c->written.clear();
    for (auto& r : server.requests)
      if (r.header("x-answered").empty()) {
        r.headers.emplace_back("x-answered", "1");
        server.respond(r.stream_id, 200, "payload", {{"content-type", "text/plain"}});
      }
    const std::string to_client = server.output();
    {
      AllocationCounter counter;
      fake.deliver(*c, to_client);
      if (count) allocations += counter.count();
    }
  };
  for (int i = 0; i < 3; ++i) round(false);  // warm-up: pools and buffers grow
  const size_t before = fake.completions;
  for (int i = 0; i < 20; ++i) round(true);
  EXPECT_EQ(fake.completions - before, 200u);
  EXPECT_EQ(fake.last_status, 200);
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace loadhost::http2
