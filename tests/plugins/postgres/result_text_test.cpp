#include "postgres/result_text.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace loadhost::postgres {
namespace {

struct Clear {
  void operator()(PGresult *r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, Clear>;

struct Column {
  const char *name;
  Oid type;
};

// A PGRES_TUPLES_OK result with `rows` (nullptr = NULL), built without a server.
Result tuples(const std::vector<Column> &columns, const std::vector<std::vector<const char *>> &rows) {
  Result r(PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK));
  std::vector<PGresAttDesc> attrs;
  for (const Column &c : columns) {
    PGresAttDesc a{};
    a.name = const_cast<char *>(c.name);
    a.typid = c.type;
    a.typlen = -1;
    a.atttypmod = -1;
    attrs.push_back(a);
  }
  EXPECT_TRUE(PQsetResultAttrs(r.get(), int(attrs.size()), attrs.data()));
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j)
      EXPECT_TRUE(PQsetvalue(r.get(), int(i), int(j), const_cast<char *>(rows[i][j]),
                             rows[i][j] ? int(std::string(rows[i][j]).size()) : -1));
  return r;
}

TEST(ResultText, RowsBecomeCompactJsonWithTypedValues) {
  Result r = tuples({{"id", 23}, {"name", 25}, {"price", 1700}, {"ok", 16}, {"note", 25}},
                    {{"1", "a \"quoted\"\nline", "1.50", "t", nullptr}, {"2", "b", "NaN", "f", "x"}});
  ResultCollector c;
  c.add(r.get());
  EXPECT_EQ(c.rows(), 2);
  EXPECT_EQ(c.body(),
            R"([{"id":1,"name":"a \"quoted\"\nline","price":1.50,"ok":true,"note":null},)"
            R"({"id":2,"name":"b","price":"NaN","ok":false,"note":"x"}])");
  // Bytes of the values: 1+15+4+1+0 + 1+1+3+1+1.
  EXPECT_EQ(c.bytes(), 28u);
  EXPECT_FALSE(c.error());
}

TEST(ResultText, DiscardedBodyStillCountsRowsAndBytes) {
  Result r = tuples({{"v", 25}}, {{"abc"}, {"de"}});
  ResultCollector c(false);
  c.add(r.get());
  EXPECT_EQ(c.rows(), 2);
  EXPECT_EQ(c.bytes(), 5u);
  EXPECT_EQ(c.body(), "");
}

TEST(ResultText, SeveralResultsAddUp) {
  Result a = tuples({{"n", 20}}, {{"1"}});
  Result b = tuples({{"n", 20}}, {{"2"}, {"3"}});
  ResultCollector c;
  c.add(a.get());
  c.add(b.get());
  EXPECT_EQ(c.rows(), 3);
  EXPECT_EQ(c.body(), R"([{"n":1},{"n":2},{"n":3}])");
}

TEST(ResultText, ResetForTheNextCommandForgetsTheLast) {
  Result rows = tuples({{"n", 20}}, {{"1"}, {"2"}});
  Result error(PQmakeEmptyPGresult(nullptr, PGRES_FATAL_ERROR));
  ResultCollector c;
  c.add(rows.get());
  c.add(error.get());
  ASSERT_TRUE(c.error());
  c.reset(true);
  EXPECT_EQ(c.rows(), 0);
  EXPECT_EQ(c.bytes(), 0u);
  EXPECT_EQ(c.body(), "");
  EXPECT_FALSE(c.error());
  Result one = tuples({{"n", 20}}, {{"7"}});
  c.add(one.get());
  EXPECT_EQ(c.body(), R"([{"n":7}])");
  c.reset(false);
  c.add(one.get());
  EXPECT_EQ(c.rows(), 1);
  EXPECT_EQ(c.body(), "");
}

TEST(ResultText, ControlCharactersAreEscaped) {
  Result r = tuples({{"t", 25}}, {{"a\x01" "b\\c\td\re"}});
  ResultCollector c;
  c.add(r.get());
  EXPECT_EQ(c.body(), R"([{"t":"a\u0001b\\c\td\re"}])");
}

TEST(ResultText, NoRowsNoBody) {
  Result r(PQmakeEmptyPGresult(nullptr, PGRES_COMMAND_OK));
  ResultCollector c;
  c.add(r.get());
  EXPECT_EQ(c.rows(), 0);
  EXPECT_EQ(c.body(), "");
  EXPECT_FALSE(c.error());
}

TEST(ResultText, ErrorWithoutServerFieldsFallsBackToTheStatus) {
  Result r(PQmakeEmptyPGresult(nullptr, PGRES_FATAL_ERROR));
  ResultCollector c;
  c.add(r.get());
  ASSERT_TRUE(c.error());
  EXPECT_EQ(*c.error(), "postgres: PGRES_FATAL_ERROR");
}

TEST(ResultText, OneLineFoldsLibpqMessages) {
  EXPECT_EQ(one_line("connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server "
                     "running on that host and accepting TCP/IP connections?\n"),
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused Is the server running on "
            "that host and accepting TCP/IP connections?");
  EXPECT_EQ(one_line("FATAL:  terminating connection due to administrator command\n"),
            "terminating connection due to administrator command");
}

}  // namespace
}  // namespace loadhost::postgres
