#include "websocket/call_metadata.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace loadhost::websocket {
namespace {

lh_kv kv(std::string_view k, std::string_view v) { return lh_kv{{k.data(), k.size()}, {v.data(), v.size()}}; }

TEST(HandshakeOptions, SubprotocolsAreSplitAndTheRestAreHeaders) {
  std::vector<lh_kv> md{kv("Origin", "http://x"), kv("subprotocol", "chat, superchat"),
                        kv("Sec-WebSocket-Protocol", "v2"), kv("X-Token", "t")};
  HandshakeOptions o;
  std::string error;
  ASSERT_TRUE(parse_handshake_options(md.data(), md.size(), o, error)) << error;
  EXPECT_EQ(o.subprotocols, (std::vector<std::string>{"chat", "superchat", "v2"}));
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(o.headers[0].first, "Origin");
  EXPECT_EQ(o.headers[1].second, "t");
}

TEST(Opcode, TextByDefaultBinaryWhenAskedAndTypoIsAnError) {
  Opcode op = Opcode::binary;
  std::string error;
  ASSERT_TRUE(parse_opcode(nullptr, 0, op, error));
  EXPECT_EQ(op, Opcode::text);
  std::vector<lh_kv> md{kv("opcode", "Binary")};
  ASSERT_TRUE(parse_opcode(md.data(), md.size(), op, error));
  EXPECT_EQ(op, Opcode::binary);
  md = {kv("opcode", "blob")};
  EXPECT_FALSE(parse_opcode(md.data(), md.size(), op, error));
  EXPECT_EQ(error, "websocket: opcode 'blob' is not text or binary");
}

TEST(CloseCode, DefaultsTo1000AndRejectsReservedCodes) {
  uint16_t code = 0;
  std::string error;
  ASSERT_TRUE(parse_close_code(nullptr, 0, code, error));
  EXPECT_EQ(code, 1000);
  std::vector<lh_kv> md{kv("code", "4001")};
  ASSERT_TRUE(parse_close_code(md.data(), md.size(), code, error));
  EXPECT_EQ(code, 4001);
  for (const char *bad : {"1006", "1005", "999", "5000", "x"}) {
    md = {kv("code", bad)};
    EXPECT_FALSE(parse_close_code(md.data(), md.size(), code, error)) << bad;
  }
}

}  // namespace
}  // namespace loadhost::websocket
