#include "grpc/status_text.hpp"

#include <gtest/gtest.h>

namespace loadhost::grpc_plugin {
namespace {

TEST(StatusText, CanonicalNames) {
  EXPECT_EQ(status_code_name(0), "OK");
  EXPECT_EQ(status_code_name(4), "DEADLINE_EXCEEDED");
  EXPECT_EQ(status_code_name(14), "UNAVAILABLE");
  EXPECT_EQ(status_code_name(16), "UNAUTHENTICATED");
  EXPECT_EQ(status_code_name(17), "UNKNOWN_CODE");
  EXPECT_EQ(status_code_name(-1), "UNKNOWN_CODE");
}

TEST(StatusText, FailureIsNameColonMessageOnOneLine) {
  std::string out = "old";
  write_status_failure(out, 4, "Deadline Exceeded");
  EXPECT_EQ(out, "DEADLINE_EXCEEDED: Deadline Exceeded");
  write_status_failure(out, 13, "line one\nline two\r\n");
  EXPECT_EQ(out, "INTERNAL: line one line two  ");
  write_status_failure(out, 1, "");
  EXPECT_EQ(out, "CANCELLED");
}

}  // namespace
}  // namespace loadhost::grpc_plugin
