// Tasks are named after their functions from the library's own symbol
// table (-l, --show-task-ratio): hidden functions are found, names are
// shortened to what Locust shows.
#include "core/loader/symbol_name.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace loadhost::core {
namespace {

struct Shop {
  // Out of line, as a task whose address is taken is; not in the dynamic
  // symbol table (an executable exports nothing), as in a scenario.
  __attribute__((noinline)) int browse() { return 42; }
};

TEST(SymbolName, FindsAHiddenMemberFunction) {
  int (Shop::*fn)() = &Shop::browse;
  const void *address = nullptr;
  std::memcpy(&address, &fn, sizeof address);  // the Itanium ABI's code pointer
  std::string symbol = function_symbol(address);
  EXPECT_NE(symbol.find("Shop::browse()"), std::string::npos) << symbol;
  EXPECT_EQ(unqualified_function_name(symbol), "browse");
}

TEST(SymbolName, NothingForNoFunction) {
  EXPECT_EQ(function_symbol(nullptr), "");
  int data = 0;
  EXPECT_EQ(function_symbol(&data), "");
}

TEST(SymbolName, UnqualifiedNames) {
  EXPECT_EQ(unqualified_function_name("Shopper::home()"), "home");
  EXPECT_EQ(unqualified_function_name("(anonymous namespace)::Shopper::home()"), "home");
  EXPECT_EQ(unqualified_function_name("ns::Cart<std::pair<int, int> >::add(int) const"), "add");
  EXPECT_EQ(unqualified_function_name("free_function"), "free_function");
}

}  // namespace
}  // namespace loadhost::core
