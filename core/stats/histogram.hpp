// LatencyHistogram: a mergeable log-linear (HDR-style) histogram of
// microsecond latencies.
//
// Why log-linear: every power of two [2^e, 2^(e+1)) is cut into 128 equal
// sub-buckets, so a bucket is never wider than 1/128 of its lower bound.
// Reporting the bucket midpoint bounds the relative error by 1/256 (~0.39%)
// at any magnitude, with a fixed array of 3328 counters (26 KiB). Values
// below 256 us get one bucket each, so they are exact.
//
// Why fixed buckets: two histograms with the same layout merge by adding
// counters, so merging shards or workers is exact — a merged histogram is
// bit-for-bit the one that would have seen every sample. The same holds for
// subtraction, which gives "the last N seconds" from two cumulative snapshots.
//
// Thread safety: none; one histogram per loop thread, merged by the owner.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace loadhost::stats {

class LatencyHistogram {
 public:
  // 2^32 - 1 us is 71.6 minutes; larger values are counted in the last
  // bucket (so they stay in count/sum and percentiles), while max() keeps the
  // exact value.
  static constexpr std::uint64_t kMaxTrackableUs = (std::uint64_t{1} << 32) - 1;
  static constexpr int kSubBucketBits = 7;  // 128 sub-buckets per power of two
  static constexpr std::size_t kBucketCount =
      (std::bit_width(kMaxTrackableUs) - kSubBucketBits + 1) << kSubBucketBits;
  static_assert(kBucketCount * sizeof(std::uint64_t) <= 64 * 1024);

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram& other);
  LatencyHistogram& operator=(const LatencyHistogram& other);
  // A moved-from histogram is empty, not a count without buckets.
  LatencyHistogram(LatencyHistogram&& other) noexcept { *this = std::move(other); }
  LatencyHistogram& operator=(LatencyHistogram&& other) noexcept {
    counts_ = std::move(other.counts_);
    count_ = std::exchange(other.count_, 0);
    sum_ = std::exchange(other.sum_, 0);
    min_ = std::exchange(other.min_, UINT64_MAX);
    max_ = std::exchange(other.max_, 0);
    return *this;
  }
  ~LatencyHistogram() = default;

  // O(1); allocates the bucket array on the first call only, so an entry
  // that never saw a request costs a few words.
  void record(std::uint64_t us) {
    if (!counts_) [[unlikely]] allocate();
    ++counts_[bucket_index(us < kMaxTrackableUs ? us : kMaxTrackableUs)];
    ++count_;
    sum_ += us;
    min_ = us < min_ ? us : min_;
    max_ = us > max_ ? us : max_;
  }

  // `n` samples of the same value: a Locust worker's report arrives as
  // {rounded ms: count}, not as samples. O(1).
  void record_n(std::uint64_t us, std::uint64_t n) {
    if (n == 0) return;
    if (!counts_) allocate();
    counts_[bucket_index(us < kMaxTrackableUs ? us : kMaxTrackableUs)] += n;
    count_ += n;
    sum_ += us * n;
    min_ = us < min_ ? us : min_;
    max_ = us > max_ ? us : max_;
  }

  // Bucket-wise addition; exact.
  void merge(const LatencyHistogram& other);

  // The wire form: visits each non-empty bucket as (index, count), in
  // index order. Reads the whole array (26 KiB): for reports, not per request.
  template <typename Visit>
  void for_each_bucket(Visit visit) const {
    if (!counts_) return;
    for (std::size_t i = 0; i < kBucketCount; ++i)
      if (counts_[i]) visit(i, counts_[i]);
  }
  // Rebuilding a histogram from its wire form, in two steps: add_to_bucket()
  // puts `n` samples in bucket `index` (< kBucketCount; the caller checks)
  // without touching count, sum, min or max, then set_summary() sets those
  // exact figures. Why not record(): the wire carries buckets, not samples,
  // and the sender's exact sum/min/max are better than any bucket's value.
  // The caller keeps count == the sum of the bucket counts.
  void add_to_bucket(std::size_t index, std::uint64_t n) {
    if (!counts_) allocate();
    counts_[index] += n;
  }
  void set_summary(std::uint64_t count, std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
    if (count && !counts_) allocate();  // merge() reads the buckets of any non-empty histogram
    count_ = count;
    sum_ = count ? sum : 0;
    min_ = count ? min : UINT64_MAX;
    max_ = count ? max : 0;
  }

  // Removes an earlier snapshot of this same histogram (every bucket of
  // `earlier` must be <= ours), leaving the samples recorded since. Counts,
  // sum and bucket counts stay exact; min and max become estimates within
  // the percentile error bound, since the exact extremes of a window cannot
  // be recovered from two snapshots.
  void subtract(const LatencyHistogram& earlier);

  // Clears the samples but keeps the bucket array, so recording after a
  // reset never allocates.
  void reset();

  // Value at quantile q in [0, 1], Locust's definition: the sample at
  // 0-based rank floor(count * q) of the sorted samples. Returns the bucket
  // midpoint clamped to [min, max]; q = 0 gives min(), q = 1 gives max()
  // exactly. 0 when empty.
  double percentile(double q) const;

  // Lower median, as Locust's median_from_dict: rank floor((count - 1) / 2).
  double median() const;

  // Value at a 0-based rank of the sorted samples (rank >= count gives max).
  double value_at_rank(std::uint64_t rank) const;

  std::uint64_t count() const { return count_; }
  std::uint64_t sum() const { return sum_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  bool empty() const { return count_ == 0; }

  // Layout helpers, public so tests can check the error bound per bucket.
  static std::size_t bucket_index(std::uint64_t us) {
    // Values below 256 have shift 0 (one bucket each); above, the shift keeps
    // the top 8 significant bits, whose value 128..255 selects the sub-bucket.
    const int excess = static_cast<int>(std::bit_width(us)) - (kSubBucketBits + 1);
    const int shift = excess > 0 ? excess : 0;  // compiles to a cmov
    return (static_cast<std::size_t>(shift) << kSubBucketBits) +
           static_cast<std::size_t>(us >> shift);
  }
  static std::uint64_t bucket_lower_bound(std::size_t index);
  static std::uint64_t bucket_width(std::size_t index);
  static std::uint64_t bucket_midpoint(std::size_t index);  // rounded down

 private:
  void allocate();

  std::unique_ptr<std::uint64_t[]> counts_;  // kBucketCount, or null if unused
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;  // valid only when count_ > 0
  std::uint64_t max_ = 0;
};

}  // namespace loadhost::stats
