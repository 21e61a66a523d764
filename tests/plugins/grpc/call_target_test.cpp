#include "grpc/call_target.hpp"

#include <gtest/gtest.h>

namespace loadhost::grpc_plugin {
namespace {

TEST(CallTarget, Operations) {
  Operation op;
  ASSERT_TRUE(parse_operation("grpc", op));
  EXPECT_FALSE(op.kind_given);
  EXPECT_FALSE(op.raw);
  ASSERT_TRUE(parse_operation("bidi", op));
  EXPECT_TRUE(op.kind_given);
  EXPECT_EQ(op.kind, CallKind::bidi);
  ASSERT_TRUE(parse_operation("client_stream-raw", op));
  EXPECT_TRUE(op.raw);
  EXPECT_EQ(op.kind, CallKind::client_stream);
  ASSERT_TRUE(parse_operation("server_stream", op));
  EXPECT_EQ(op.kind, CallKind::server_stream);
  EXPECT_FALSE(parse_operation("GET", op));
  EXPECT_FALSE(parse_operation("grpc-raw", op));
  EXPECT_FALSE(parse_operation("", op));
}

TEST(CallTarget, KindsFromStreamingFlags) {
  static_assert(kind_of(false, false) == CallKind::unary);
  static_assert(kind_of(false, true) == CallKind::server_stream);
  static_assert(kind_of(true, false) == CallKind::client_stream);
  static_assert(kind_of(true, true) == CallKind::bidi);
  EXPECT_EQ(kind_name(CallKind::client_stream), "client_stream");
}

TEST(CallTarget, MethodNames) {
  MethodName m;
  std::string error;
  for (const char* target : {"helloworld.Greeter/SayHello", "/helloworld.Greeter/SayHello", "helloworld.Greeter.SayHello"}) {
    ASSERT_TRUE(parse_method_name(target, m, error)) << target << ": " << error;
    EXPECT_EQ(m.path, "/helloworld.Greeter/SayHello");
    EXPECT_EQ(m.service, "helloworld.Greeter");
    EXPECT_EQ(m.method, "SayHello");
  }
  for (const char* bad : {"", "SayHello", "a/b/c", "Greeter/", "/x"}) {
    EXPECT_FALSE(parse_method_name(bad, m, error)) << bad;
    EXPECT_NE(error.find("is not a method name like package.Service/Method"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace loadhost::grpc_plugin
