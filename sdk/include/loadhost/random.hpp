// loadhost C++ SDK — a user's random numbers.
//
// xoshiro256** (Blackman & Vigna): 32 bytes of state instead of the 2.5 KB of
// std::mt19937_64, which matters at 100,000 users; good enough statistically
// for picking tasks and wait times, and a UniformRandomBitGenerator, so the
// <random> distributions take it.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

namespace loadhost {

class Random {
 public:
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  explicit Random(uint64_t seed) {
    // splitmix64 spreads one seed over the four words.
    for (auto &word : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      word = z ^ (z >> 31);
    }
  }
  // A different stream for every user of the process.
  static Random for_new_user() {
    static std::atomic<uint64_t> counter{0x5eed};
    return Random(counter.fetch_add(1, std::memory_order_relaxed) * 0x2545f4914f6cdd1dull);
  }

  result_type operator()() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace loadhost
