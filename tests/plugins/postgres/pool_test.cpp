// The pool's pieces that need no server: reading pool=N, and the names its
// connections prepare statements under. (The pool itself runs against a
// real server in tests/integration/postgres_test.cpp.)
#include <gtest/gtest.h>

#include "postgres/pool.hpp"

namespace loadhost::postgres {
namespace {

TEST(PoolSize, ReadsAWholeNumberAndZeroMeansNoPool) {
  uint32_t size = 99;
  std::string error;
  EXPECT_TRUE(parse_pool_size("5", size, error));
  EXPECT_EQ(size, 5u);
  EXPECT_TRUE(parse_pool_size("0", size, error));
  EXPECT_EQ(size, 0u);
  EXPECT_TRUE(parse_pool_size("10000", size, error));
  EXPECT_EQ(size, 10000u);
  EXPECT_TRUE(error.empty());
}

TEST(PoolSize, RejectsAnythingElseAndSaysWhy) {
  for (const char *bad : {"", "-1", "x", "5x", "1.5", "10001", "99999999999999999999"}) {
    uint32_t size = 7;
    std::string error;
    EXPECT_FALSE(parse_pool_size(bad, size, error)) << bad;
    EXPECT_EQ(size, 7u) << bad;
    EXPECT_EQ(error, std::string("postgres: option 'pool': '") + bad +
                         "' is not a number of connections from 0 (one per user, the default) to 10000");
  }
}

TEST(StatementNames, KeepTheNameForItsFirstSqlAndGiveOtherTextsTheirOwn) {
  StatementNames names;
  const std::string &a = names.server_name("by_id", "select 1");
  EXPECT_EQ(a, "by_id");
  EXPECT_EQ(&names.server_name("by_id", "select 1"), &a) << "the same statement, the same name";
  const std::string &b = names.server_name("by_id", "select 2");
  EXPECT_EQ(b, "by_id (loadhost 2)");
  EXPECT_EQ(names.server_name("by_id", "select 3"), "by_id (loadhost 3)");
  EXPECT_EQ(names.server_name("other", "select 2"), "other");
  for (int i = 0; i < 1000; ++i) names.server_name("n" + std::to_string(i), "select 1");
  EXPECT_EQ(a, "by_id") << "references stay valid";
  EXPECT_EQ(b, "by_id (loadhost 2)");
}

TEST(StatementNames, TellNamesAndSqlApart) {
  // name "a" + SQL "\0b..." must not collide with another split.
  StatementNames names;
  EXPECT_EQ(names.server_name("a", "b"), "a");
  EXPECT_EQ(names.server_name("ab", ""), "ab");
  EXPECT_EQ(names.server_name("a", "bc"), "a (loadhost 2)");
}

}  // namespace
}  // namespace loadhost::postgres
