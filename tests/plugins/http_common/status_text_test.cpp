#include "http_common/status_text.hpp"

#include <gtest/gtest.h>

namespace loadhost::http_common {
namespace {

TEST(Http2StatusText, StandardReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(599), "");
}

TEST(Http2StatusText, FailureTextLikeHttp1) {
  std::string out = "stale";
  write_status_failure(out, 404);
  EXPECT_EQ(out, "HTTP 404 Not Found");
  write_status_failure(out, 599);
  EXPECT_EQ(out, "HTTP 599");
}

}  // namespace
}  // namespace loadhost::http_common
