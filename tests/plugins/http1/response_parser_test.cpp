#include "response_parser.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace loadhost::http1 {
namespace {

using Result = ResponseParser::Result;

// What a parse produced, comparable across ways of splitting the input.
struct Parsed {
  Result result = Result::need_more;
  int status = 0;
  std::string reason;
  bool keep_alive = false;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  uint64_t body_size = 0;
  std::string error;
  size_t consumed = 0;  // bytes of the input that belonged to the response

  bool operator==(const Parsed&) const = default;
};

Parsed snapshot(const ResponseParser& p, Result r, size_t consumed) {
  Parsed out;
  out.result = r;
  out.status = p.status();
  out.reason = std::string(p.reason());
  out.keep_alive = p.keep_alive();
  for (const lh_kv& f : p.fields())
    out.fields.emplace_back(std::string(f.key.data, f.key.size), std::string(f.value.data, f.value.size));
  out.body = std::string(p.body());
  out.body_size = p.body_size();
  out.error = std::string(p.error());
  out.consumed = consumed;
  return out;
}

struct Options {
  bool head = false;
  bool keep_body = true;
  bool close_at_end = false;  // the peer closes after the bytes (finish())
};

// Feeds `input` in the pieces given by `cuts` (ascending offsets).
Parsed parse_pieces(std::string_view input, const std::vector<size_t>& cuts, Options o = {}) {
  ResponseParser p;
  p.reset(o.head, o.keep_body);
  size_t begin = 0, consumed = 0;
  Result r = Result::need_more;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    if (end < begin) continue;
    size_t used = 0;
    r = p.feed(input.substr(begin, end - begin), &used);
    consumed += used;
    if (r != Result::need_more) break;
    EXPECT_EQ(used, end - begin) << "need_more must consume everything";
    begin = end;
  }
  if (r == Result::need_more && o.close_at_end) r = p.finish();
  return snapshot(p, r, consumed);
}

Parsed parse_whole(std::string_view input, Options o = {}) { return parse_pieces(input, {}, o); }

// The property the session relies on: any split gives the same result.
void expect_split_invariant(std::string_view input, Options o = {}) {
  const Parsed whole = parse_whole(input, o);
  for (size_t cut = 0; cut <= input.size(); ++cut)
    ASSERT_EQ(parse_pieces(input, {cut}, o), whole) << "split at byte " << cut;
  std::vector<size_t> every;
  for (size_t i = 1; i < input.size(); ++i) every.push_back(i);
  ASSERT_EQ(parse_pieces(input, every, o), whole) << "byte by byte";
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<size_t> cuts;
    for (size_t at = 0; at < input.size();) {
      at += 1 + rng() % 17;
      cuts.push_back(std::min(at, input.size()));
    }
    ASSERT_EQ(parse_pieces(input, cuts, o), whole) << "random chunks, round " << round;
  }
}

TEST(ResponseParser, ContentLength) {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
  Parsed p = parse_whole(in);
  EXPECT_EQ(p.result, Result::complete);
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.reason, "OK");
  EXPECT_TRUE(p.keep_alive);
  ASSERT_EQ(p.fields.size(), 2u);
  EXPECT_EQ(p.fields[0], std::make_pair(std::string("Content-Type"), std::string("text/plain")));
  EXPECT_EQ(p.body, "hello");
  EXPECT_EQ(p.body_size, 5u);
  EXPECT_EQ(p.consumed, in.size());
  expect_split_invariant(in);
}

TEST(ResponseParser, ChunkedWithExtensionsAndTrailers) {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1A \r\n abcdefghijklmnopqrstuvwxy\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other:  two \r\n\r\n";
  Parsed p = parse_whole(in);
  EXPECT_EQ(p.result, Result::complete);
  EXPECT_EQ(p.body, "hello abcdefghijklmnopqrstuvwxy");
  ASSERT_EQ(p.fields.size(), 3u);
  EXPECT_EQ(p.fields[1].first, "X-Checksum");
  EXPECT_EQ(p.fields[2].second, "two");
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.consumed, in.size());
  expect_split_invariant(in);
}

TEST(ResponseParser, ChunkedWithoutTrailers) {
  const std::string in = "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(parse_whole(in).body, "abc");
  expect_split_invariant(in);
}

TEST(ResponseParser, HeadResponseHasNoBody) {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
  Parsed p = parse_whole(in, {.head = true});
  EXPECT_EQ(p.result, Result::complete);
  EXPECT_EQ(p.body_size, 0u);
  expect_split_invariant(in, {.head = true});
}

TEST(ResponseParser, NoContentAndNotModifiedHaveNoBody) {
  for (const char* in : {"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
                         "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
    Parsed p = parse_whole(in);
    EXPECT_EQ(p.result, Result::complete) << in;
    EXPECT_EQ(p.body_size, 0u);
    EXPECT_TRUE(p.keep_alive);
    expect_split_invariant(in);
  }
}

TEST(ResponseParser, InterimResponsesAreSkipped) {
  const std::string in =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  Parsed p = parse_whole(in);
  EXPECT_EQ(p.status, 201);
  ASSERT_EQ(p.fields.size(), 1u);
  EXPECT_EQ(p.fields[0].first, "Content-Length");
  EXPECT_EQ(p.body, "ok");
  expect_split_invariant(in);
}

TEST(ResponseParser, BodyDelimitedByClose) {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
  Parsed open = parse_whole(in);
  EXPECT_EQ(open.result, Result::need_more);
  Parsed p = parse_whole(in, {.close_at_end = true});
  EXPECT_EQ(p.result, Result::complete);
  EXPECT_EQ(p.body, "until the end");
  EXPECT_FALSE(p.keep_alive);
  expect_split_invariant(in, {.close_at_end = true});
}

TEST(ResponseParser, KeepAliveRules) {
  EXPECT_FALSE(parse_whole("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_whole("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_whole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(parse_whole("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
  // Both framings: chunked wins, the connection is not trusted afterwards.
  Parsed both = parse_whole(
      "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(both.body, "x");
  EXPECT_FALSE(both.keep_alive);
}

TEST(ResponseParser, ToleratesMissingReasonBareLfAndLeadingBlankLines) {
  Parsed p = parse_whole("\r\n\r\nHTTP/1.1 404\nContent-Length: 1\n\nx");
  EXPECT_EQ(p.result, Result::complete);
  EXPECT_EQ(p.status, 404);
  EXPECT_EQ(p.reason, "");
  EXPECT_EQ(p.body, "x");
}

TEST(ResponseParser, StopsAtTheEndOfTheResponse) {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
  Parsed p = parse_whole(in);
  EXPECT_EQ(p.result, Result::complete);
  EXPECT_EQ(p.consumed, in.find("okHTTP") + 2);
}

TEST(ResponseParser, DiscardedBodyIsCountedNotKept) {
  Parsed p = parse_whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", {.keep_body = false});
  EXPECT_EQ(p.body, "");
  EXPECT_EQ(p.body_size, 5u);
}

TEST(ResponseParser, ClosedEarlyIsAnError) {
  Parsed p = parse_whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", {.close_at_end = true});
  EXPECT_EQ(p.result, Result::error);
  EXPECT_EQ(p.error, "connection closed before response complete");
  EXPECT_EQ(parse_whole("", {.close_at_end = true}).error, "connection closed before response complete");
}

TEST(ResponseParser, MalformedInputsGiveClearErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"SSH-2.0-OpenSSH\r\n", "malformed response: invalid status line"},
      // Not HTTP behind a CR (an SSH banner): said at once, not at the timeout.
      {"\rSSH-2.0-OpenSSH_9.2\r\n", "malformed response: invalid status line"},
      {"\r\n\rSSH-2.0-OpenSSH_9.2", "malformed response: invalid status line"},
      {"<html>", "malformed response: invalid status line"},
      {"HTTP/1.1 20 OK\r\n\r\n", "malformed response: invalid status line"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "malformed response: invalid status line"},
      {"HTTP/1.1 abc OK\r\n\r\n", "malformed response: invalid status line"},
      {"HTTP/2.0 200 OK\r\n\r\n", "malformed response: unsupported HTTP version (expected HTTP/1.x)"},
      {"HTTP/1.1 099 Odd\r\n\r\n", "malformed response: invalid status code"},
      {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "malformed response: invalid header line"},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "malformed response: invalid header line"},
      {"HTTP/1.1 200 OK\r\n: empty\r\n\r\n", "malformed response: invalid header line"},
      {"HTTP/1.1 200 OK\r\nA: b\r\n  folded\r\n\r\n",
       "malformed response: folded header line (obsolete line folding)"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "malformed response: invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "malformed response: invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       "malformed response: conflicting Content-Length headers"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed response: invalid chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n", "malformed response: invalid chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\n", "malformed response: invalid chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\rx", "malformed response: invalid chunk size line"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc",
       "malformed response: missing CRLF after chunk data"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
       "malformed response: chunk size too large"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(5000, 'e'),
       "malformed response: chunk extensions too long"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
       "malformed response: invalid header line"},
  };
  for (const auto& [input, error] : cases) {
    Parsed whole = parse_whole(input);
    EXPECT_EQ(whole.result, Result::error) << input;
    EXPECT_EQ(whole.error, error) << input;
    std::vector<size_t> every;
    for (size_t i = 1; i < input.size(); ++i) every.push_back(i);
    Parsed bytewise = parse_pieces(input, every);
    EXPECT_EQ(bytewise.error, error) << "byte by byte: " << input;
  }
}

TEST(ResponseParser, HeaderSectionLimit) {
  const std::string head = "HTTP/1.1 200 OK\r\nX-Big: ";
  const std::string tail = "\r\nContent-Length: 0\r\n\r\n";
  std::string fits = head + std::string(ResponseParser::kMaxHeaderBytes - head.size() - tail.size(), 'a') + tail;
  ASSERT_EQ(fits.size(), ResponseParser::kMaxHeaderBytes);
  EXPECT_EQ(parse_whole(fits).result, Result::complete);

  std::string too_big = head + std::string(ResponseParser::kMaxHeaderBytes, 'a') + tail;
  Parsed p = parse_whole(too_big);
  EXPECT_EQ(p.result, Result::error);
  EXPECT_EQ(p.error, "malformed response: header section larger than 65536 bytes");
  // Also when it trickles in without a line end.
  std::vector<size_t> cuts;
  for (size_t i = 1000; i < too_big.size(); i += 1000) cuts.push_back(i);
  EXPECT_EQ(parse_pieces(too_big, cuts).error, p.error);
}

TEST(ResponseParser, ResetReusesTheParser) {
  ResponseParser p;
  for (int i = 0; i < 3; ++i) {
    p.reset(false, true);
    EXPECT_FALSE(p.started());
    size_t used = 0;
    const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    ASSERT_EQ(p.feed(in, &used), Result::complete);
    EXPECT_TRUE(p.started());
    EXPECT_EQ(p.body(), "abc");
    EXPECT_EQ(p.fields().size(), 1u);
    EXPECT_EQ(std::string_view(p.field("content-length").data, p.field("content-length").size), "3");
    EXPECT_EQ(p.field("location").data, nullptr);
  }
}

}  // namespace
}  // namespace loadhost::http1
