// Host names are resolved once per process and handed to libpq as hostaddr
// (resolved_conninfo.hpp); everything else is left to libpq as given.
#include "postgres/resolved_conninfo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace loadhost::postgres {
namespace {

TEST(ResolvedConninfo, NameBecomesHostaddrKeepingTheRest) {
  const std::string out = with_resolved_hostaddr("postgresql://bench@localhost:5433/shop?sslmode=disable");
  EXPECT_NE(out.find("hostaddr='"), std::string::npos) << out;
  EXPECT_TRUE(out.find("127.0.0.1") != std::string::npos || out.find("::1") != std::string::npos) << out;
  EXPECT_NE(out.find("host='localhost"), std::string::npos) << out;
  EXPECT_NE(out.find("port='5433'"), std::string::npos) << out;
  EXPECT_NE(out.find("user='bench'"), std::string::npos) << out;
  EXPECT_NE(out.find("dbname='shop'"), std::string::npos) << out;
  EXPECT_NE(out.find("sslmode='disable'"), std::string::npos) << out;
}

TEST(ResolvedConninfo, LeftAloneWhenThereIsNothingToResolve) {
  for (const char *conninfo : {"postgresql://u@127.0.0.1:5432/db", "postgresql://u@[::1]:5432/db",
                               "host=/var/run/postgresql dbname=x", "host=localhost hostaddr=127.0.0.1 dbname=x",
                               "host=a.invalid,b.invalid dbname=x", "dbname=x",
                               "postgresql://u@no-such-host.invalid/db", "not a conninfo ="})
    EXPECT_EQ(with_resolved_hostaddr(conninfo), conninfo);
}

TEST(ResolvedConninfo, QuotesValuesAsLibpqReadsThem) {
  const std::string out = with_resolved_hostaddr(R"(host=localhost password='it\'s \\ x' dbname=x)");
  EXPECT_NE(out.find(R"(password='it\'s \\ x')"), std::string::npos) << out;
}

}  // namespace
}  // namespace loadhost::postgres
