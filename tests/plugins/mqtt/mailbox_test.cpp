#include "mqtt/mailbox.hpp"

#include <gtest/gtest.h>

namespace loadhost::mqtt_plugin {
namespace {

TEST(FailureText, ConnackRefusalsArePlainWords) {
  EXPECT_EQ(failure_text(4, 0), "refused: bad user name or password");
  EXPECT_EQ(failure_text(5, 0), "refused: not authorized");
}

TEST(FailureText, PahoCodesAreOneLineWithoutJargon) {
  EXPECT_EQ(failure_text(MQTTASYNC_FAILURE, 0), "no connection (refused, unreachable, TLS handshake or timeout)");
  EXPECT_EQ(failure_text(MQTTASYNC_DISCONNECTED, 0), "not connected");
  std::string other = failure_text(-12345, 0);
  EXPECT_FALSE(other.empty());
  EXPECT_EQ(other.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace loadhost::mqtt_plugin
