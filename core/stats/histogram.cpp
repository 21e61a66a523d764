#include "core/stats/histogram.hpp"

#include <algorithm>
#include <cstring>

namespace loadhost::stats {

namespace {

constexpr std::size_t kExactBuckets = std::size_t{1} << (LatencyHistogram::kSubBucketBits + 1);

}  // namespace

LatencyHistogram::LatencyHistogram(const LatencyHistogram& other)
    : count_(other.count_), sum_(other.sum_), min_(other.min_), max_(other.max_) {
  if (other.counts_) {
    allocate();
    std::memcpy(counts_.get(), other.counts_.get(), kBucketCount * sizeof(std::uint64_t));
  }
}

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& other) {
  if (this == &other) return *this;
  // Reuse our array when we have one: the window keeps snapshots in a ring
  // and copies into them every second, which must not allocate.
  if (other.counts_) {
    if (!counts_) allocate();
    std::memcpy(counts_.get(), other.counts_.get(), kBucketCount * sizeof(std::uint64_t));
  } else if (counts_) {
    std::memset(counts_.get(), 0, kBucketCount * sizeof(std::uint64_t));
  }
  count_ = other.count_;
  sum_ = other.sum_;
  min_ = other.min_;
  max_ = other.max_;
  return *this;
}

void LatencyHistogram::allocate() {
  counts_ = std::make_unique<std::uint64_t[]>(kBucketCount);  // zeroed
}

std::uint64_t LatencyHistogram::bucket_lower_bound(std::size_t index) {
  if (index < kExactBuckets) return index;
  const std::size_t shift = (index >> kSubBucketBits) - 1;
  const std::uint64_t sub = index - (shift << kSubBucketBits);  // 128..255
  return sub << shift;
}

std::uint64_t LatencyHistogram::bucket_width(std::size_t index) {
  if (index < kExactBuckets) return 1;
  return std::uint64_t{1} << ((index >> kSubBucketBits) - 1);
}

std::uint64_t LatencyHistogram::bucket_midpoint(std::size_t index) {
  return bucket_lower_bound(index) + (bucket_width(index) - 1) / 2;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (!counts_) allocate();
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::subtract(const LatencyHistogram& earlier) {
  if (earlier.count_ == 0 || !counts_) return;
  std::size_t first = kBucketCount;
  std::size_t last = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    counts_[i] -= earlier.counts_[i];
    if (counts_[i] != 0) {
      first = std::min(first, i);
      last = i;
    }
  }
  count_ -= earlier.count_;
  sum_ -= earlier.sum_;
  if (count_ == 0) {
    min_ = UINT64_MAX;
    max_ = 0;
    return;
  }
  // The window's extremes lie in the first and last occupied buckets. Their
  // midpoints keep min/max (and so percentiles 0 and 1) within the same
  // 1/256 bound as any percentile; the cumulative extremes, where they fall
  // inside those buckets, are exact bounds and tighter still.
  min_ = std::max(min_, bucket_midpoint(first));
  if (last != kBucketCount - 1) max_ = std::min(max_, bucket_midpoint(last));  // else: unbounded clamp bucket
}

void LatencyHistogram::reset() {
  if (counts_) std::memset(counts_.get(), 0, kBucketCount * sizeof(std::uint64_t));
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

double LatencyHistogram::value_at_rank(std::uint64_t rank) const {
  if (count_ == 0) return 0.0;
  if (rank >= count_ - 1) return static_cast<double>(max_);
  if (rank == 0) return static_cast<double>(min_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen > rank) {
      // Midpoint of the integer values the bucket holds: halves the worst
      // case error compared to reporting a bound.
      const double mid = static_cast<double>(bucket_lower_bound(i)) +
                         static_cast<double>(bucket_width(i) - 1) / 2.0;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);  // unreachable while counts are consistent
}

double LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  // Same arithmetic as Locust (int(num_requests * percent)) so a rank picked
  // here is the rank Locust would pick for the same samples.
  return value_at_rank(static_cast<std::uint64_t>(static_cast<double>(count_) * q));
}

double LatencyHistogram::median() const {
  if (count_ == 0) return 0.0;
  return value_at_rank((count_ - 1) / 2);
}

}  // namespace loadhost::stats
