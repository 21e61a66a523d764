// WorkerSplit: deterministic, balanced, weight-following, and a ramp never
// moves a running user.
#include "core/distributed/worker_split.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace {

using loadhost::distributed::WorkerSplit;

lh_user_class make_class(const char *name, uint32_t weight, uint32_t fixed = 0) {
  lh_user_class c{};
  c.size = sizeof(c);
  c.name = name;
  c.weight = weight;
  c.fixed_count = fixed;
  return c;
}

struct Scenario {
  std::vector<lh_user_class> classes;
  std::vector<const lh_user_class *> pointers;
  lh_scenario s{};
  explicit Scenario(std::vector<lh_user_class> c) : classes(std::move(c)) {
    for (auto &x : classes) pointers.push_back(&x);
    s.size = sizeof(s);
    s.class_count = uint32_t(pointers.size());
    s.classes = pointers.data();
  }
};

uint32_t sum(const std::vector<uint32_t> &v) { return std::accumulate(v.begin(), v.end(), 0u); }

TEST(WorkerSplit, TotalsDifferByAtMostOneAndAddUp) {
  Scenario sc({make_class("A", 3), make_class("B", 1)});
  WorkerSplit split(sc.s);
  for (uint64_t total : {0u, 1u, 7u, 100u, 1001u}) {
    auto shares = split.split(total, 4);
    ASSERT_EQ(shares.size(), 4u);
    uint32_t all = 0, lo = UINT32_MAX, hi = 0;
    for (auto &w : shares) {
      all += sum(w);
      lo = std::min(lo, sum(w));
      hi = std::max(hi, sum(w));
    }
    EXPECT_EQ(all, total);
    EXPECT_LE(hi - lo, 1u) << total;
  }
}

TEST(WorkerSplit, ClassesFollowTheWeightsOverall) {
  Scenario sc({make_class("A", 3), make_class("B", 1)});
  WorkerSplit split(sc.s);
  auto shares = split.split(400, 3);
  uint32_t a = 0, b = 0;
  for (auto &w : shares) {
    a += w[0];
    b += w[1];
  }
  EXPECT_EQ(a, 300u);
  EXPECT_EQ(b, 100u);
}

TEST(WorkerSplit, GrowingTheTotalNeverTakesAUserAway) {
  Scenario sc({make_class("A", 2), make_class("B", 1), make_class("C", 1, 2)});
  WorkerSplit split(sc.s);
  auto before = split.split(50, 3);
  auto after = split.split(75, 3);
  for (size_t w = 0; w < 3; ++w)
    for (size_t c = 0; c < 3; ++c) EXPECT_LE(before[w][c], after[w][c]);
}

TEST(WorkerSplit, IsDeterministic) {
  Scenario sc({make_class("A", 5), make_class("B", 2)});
  WorkerSplit one(sc.s), two(sc.s);
  EXPECT_EQ(one.split(123, 5), two.split(123, 5));
}

TEST(WorkerSplit, FixedCountOnlyCapsTheTotal) {
  Scenario sc({make_class("A", 1, 3), make_class("B", 1, 2)});
  WorkerSplit split(sc.s);
  EXPECT_EQ(split.feasible(100), 5u);
  auto shares = split.split(100, 2);
  EXPECT_EQ(sum(shares[0]) + sum(shares[1]), 5u);
  EXPECT_EQ(shares[0][0] + shares[1][0], 3u);
}

TEST(WorkerSplit, NoWorkersNoShares) {
  Scenario sc({make_class("A", 1)});
  WorkerSplit split(sc.s);
  EXPECT_TRUE(split.split(10, 0).empty());
}

}  // namespace
