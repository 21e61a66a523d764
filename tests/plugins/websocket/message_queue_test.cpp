#include "websocket/message_queue.hpp"

#include <gtest/gtest.h>

namespace loadhost::websocket {
namespace {

TEST(MessageQueue, KeepsOrderUpToItsBoundAndCountsTheDropped) {
  MessageQueue q(2);
  EXPECT_TRUE(q.push({"a", false}));
  EXPECT_TRUE(q.push({"b", true}));
  EXPECT_FALSE(q.push({"c", false}));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.dropped(), 1u);
  auto first = q.pop();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "a");
  EXPECT_TRUE(q.push({"d", false}));
  EXPECT_EQ(q.pop()->payload, "b");
  EXPECT_EQ(q.pop()->payload, "d");
  EXPECT_FALSE(q.pop());
}

TEST(MessageQueue, ZeroCapacityKeepsNothing) {
  MessageQueue q(0);
  EXPECT_FALSE(q.push({"a", false}));
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_FALSE(q.pop());
}

}  // namespace
}  // namespace loadhost::websocket
