#include "core/runner/users_dispatcher.hpp"

#include <gtest/gtest.h>

#include <string>

namespace loadhost::core {
namespace {

lh_user_class make_class(const char *name, uint32_t weight, uint32_t fixed = 0) {
  lh_user_class c{};
  c.size = sizeof(c);
  c.name = name;
  c.weight = weight;
  c.fixed_count = fixed;
  return c;
}

std::string sequence(UsersDispatcher &d, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const lh_user_class *c = d.next();
    out += c ? c->name : "-";
  }
  return out;
}

TEST(UsersDispatcher, InterleavesThreeToOneSmoothly) {
  lh_user_class a = make_class("A", 3), b = make_class("B", 1);
  UsersDispatcher d({&a, &b});
  EXPECT_EQ(sequence(d, 8), "AABAAABA");
}

TEST(UsersDispatcher, SameSequenceEveryRun) {
  lh_user_class a = make_class("A", 5), b = make_class("B", 2), c = make_class("C", 1);
  UsersDispatcher d1({&a, &b, &c}), d2({&a, &b, &c});
  EXPECT_EQ(sequence(d1, 64), sequence(d2, 64));
}

TEST(UsersDispatcher, RatiosHoldForEveryPrefixWithinOneUser) {
  lh_user_class a = make_class("A", 3), b = make_class("B", 1);
  UsersDispatcher d({&a, &b});
  int count_a = 0;
  for (int n = 1; n <= 1000; ++n) {
    if (d.next() == &a) ++count_a;
    EXPECT_LE(std::abs(count_a - 0.75 * n), 1.0) << "after " << n << " users";
  }
}

TEST(UsersDispatcher, FixedCountClassesComeFirstAndStayFixed) {
  lh_user_class a = make_class("A", 1), admin = make_class("F", 1, 2);
  UsersDispatcher d({&a, &admin});
  EXPECT_EQ(sequence(d, 5), "FFAAA");
  EXPECT_EQ(d.counts_for(10), (std::vector<uint32_t>{8, 2}));
  EXPECT_EQ(d.counts_for(1), (std::vector<uint32_t>{0, 1}));
}

TEST(UsersDispatcher, OnlyFixedClassesRunOut) {
  lh_user_class f = make_class("F", 1, 2);
  UsersDispatcher d({&f});
  EXPECT_EQ(sequence(d, 3), "FF-");
}

TEST(UsersDispatcher, RewindContinuesTheSameSequence) {
  lh_user_class a = make_class("A", 3), b = make_class("B", 1);
  UsersDispatcher reference({&a, &b});
  std::string expected = sequence(reference, 12);
  UsersDispatcher d({&a, &b});
  std::string first = sequence(d, 9);
  d.rewind(4);
  EXPECT_EQ(d.handed_out(), 5u);
  EXPECT_EQ(first.substr(0, 5) + sequence(d, 7), expected);
}

TEST(UsersDispatcher, ZeroWeightClassNeverPicked) {
  lh_user_class a = make_class("A", 1), z = make_class("Z", 0);
  UsersDispatcher d({&a, &z});
  EXPECT_EQ(sequence(d, 4), "AAAA");
}

}  // namespace
}  // namespace loadhost::core
