#include "postgres/command.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace loadhost::postgres {
namespace {

lh_str str(std::string_view s) { return lh_str{s.data(), s.size()}; }

lh_request request(std::string_view op, std::string_view target, std::string_view body = {},
                   const std::vector<lh_kv> &metadata = {}) {
  lh_request r{};
  r.size = sizeof r;
  r.operation = str(op);
  r.target = str(target);
  r.body = str(body);
  r.metadata = metadata.data();
  r.metadata_count = metadata.size();
  return r;
}

TEST(Command, QueryTakesSqlFromTargetOrBodyAndParamsInOrder) {
  std::string error;
  std::vector<lh_kv> params{{str("$1"), str("7")}, {str("$2"), str("x")}};
  auto c = parse_command(request("query", "select $1, $2", {}, params), error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->kind, Command::Kind::query);
  EXPECT_EQ(c->sql, "select $1, $2");
  EXPECT_EQ(c->params, (std::vector<std::string>{"7", "x"}));
  c = parse_command(request("query", "stats name", "select 1"), error);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sql, "select 1") << "the body wins: the target is then only a name";
}

TEST(Command, PrepareAndExecute) {
  std::string error;
  auto p = parse_command(request("prepare", "by_id", "select * from t where id = $1"), error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->kind, Command::Kind::prepare);
  EXPECT_EQ(p->statement, "by_id");
  std::vector<lh_kv> params{{str("$1"), str("3")}};
  auto e = parse_command(request("execute", "by_id", {}, params), error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->kind, Command::Kind::execute);
  EXPECT_EQ(e->params, std::vector<std::string>{"3"});
}

TEST(Command, TransactionVerbsAreQueries) {
  std::string error;
  for (const char *op : {"begin", "COMMIT", "rollback"}) {
    auto c = parse_command(request(op, ""), error);
    ASSERT_TRUE(c) << op;
    EXPECT_EQ(c->kind, Command::Kind::query);
    EXPECT_EQ(c->sql, op);
  }
}

TEST(Command, DiscardBodyFlagIsKept) {
  std::string error;
  lh_request r = request("query", "select 1");
  r.flags = LH_REQUEST_DISCARD_BODY;
  EXPECT_TRUE(parse_command(r, error)->discard_body);
}

TEST(Command, ParsingIntoAReusedCommandLeavesNothingOfTheLastOne) {
  std::string error;
  Command c;
  std::vector<lh_kv> params{{str("$1"), str("3")}, {str("$2"), str("4")}};
  lh_request execute = request("execute", "by_id", {}, params);
  execute.flags = LH_REQUEST_DISCARD_BODY;
  ASSERT_TRUE(parse_command(execute, c, error)) << error;
  std::vector<lh_kv> one{{str("$1"), str("x")}};
  ASSERT_TRUE(parse_command(request("query", "select $1", {}, one), c, error)) << error;
  EXPECT_EQ(c.kind, Command::Kind::query);
  EXPECT_EQ(c.sql, "select $1");
  EXPECT_EQ(c.statement, "");
  EXPECT_EQ(c.params, std::vector<std::string>{"x"});
  EXPECT_FALSE(c.discard_body);
  ASSERT_TRUE(parse_command(request("commit", ""), c, error)) << error;
  EXPECT_EQ(c.sql, "commit");
  EXPECT_TRUE(c.params.empty());
}

TEST(Command, MistakesSayWhatToDo) {
  std::string error;
  EXPECT_FALSE(parse_command(request("GET", "/"), error));
  EXPECT_EQ(error, "postgres: unknown operation 'GET' (use query, prepare, execute, begin, commit or rollback)");
  EXPECT_FALSE(parse_command(request("query", ""), error));
  EXPECT_EQ(error, "postgres: query needs its SQL in the target or the body");
  EXPECT_FALSE(parse_command(request("prepare", "name"), error));
  EXPECT_FALSE(parse_command(request("execute", ""), error));
}

}  // namespace
}  // namespace loadhost::postgres
