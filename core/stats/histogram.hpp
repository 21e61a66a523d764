// LatencyHistogram: a mergeable log-linear (HDR-style) histogram of
// microsecond latencies.
//
// Why log-linear: every power of two [2^e, 2^(e+1)) is cut into 128 equal
// sub-buckets, so a bucket is never wider than 1/128 of its lower bound.
// Reporting the bucket midpoint bounds the relative error by 1/256 (~0.39%)
// at any magnitude, over a fixed layout of 3328 buckets. Values below
// 256 us get one bucket each, so they are exact.
//
// Why fixed buckets: two histograms with the same layout merge by adding
// counters, so merging shards or workers is exact — a merged histogram is
// bit-for-bit the one that would have seen every sample. The same holds for
// subtraction, which gives "the last N seconds" from two cumulative snapshots.
//
// Why two forms: a stats entry per request name holds several histograms
// (per loop shard, the outbox, the run's table, windows), and most names see
// few samples (ids in URLs). So the counters start *sparse* — a sorted array
// of (bucket, count) packed in 4 bytes each, grown on demand — and become
// *dense* (O(1) per sample) once a histogram has used 256 buckets or seen
// 65,536 samples. Dense is a directory of 26 blocks, one per power of two
// (128 counters, 1 KiB), each allocated when a sample first lands in it: a
// name whose latencies span 1-20 ms holds 5 blocks, not all 26 (26 KiB).
// A name with 100 samples costs at most 400 bytes; once a block exists,
// recording into it never allocates. Both forms hold the same buckets, so
// percentiles, merges and subtraction are identical whichever form each
// side is in.
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
  // The sparse form's limits (the header comment says why).
  static constexpr std::size_t kSparseMaxBuckets = 256;
  static constexpr std::uint64_t kSparseMaxSamples = 65536;

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram& other);
  LatencyHistogram& operator=(const LatencyHistogram& other);
  // A moved-from histogram is empty, not a count without buckets.
  LatencyHistogram(LatencyHistogram&& other) noexcept { *this = std::move(other); }
  LatencyHistogram& operator=(LatencyHistogram&& other) noexcept {
    dense_ = std::move(other.dense_);
    sparse_ = std::move(other.sparse_);
    sparse_size_ = std::exchange(other.sparse_size_, 0);
    sparse_capacity_ = std::exchange(other.sparse_capacity_, 0);
    count_ = std::exchange(other.count_, 0);
    sum_ = std::exchange(other.sum_, 0);
    min_ = std::exchange(other.min_, UINT64_MAX);
    max_ = std::exchange(other.max_, 0);
    return *this;
  }
  ~LatencyHistogram() = default;

  // O(1) once dense; while sparse, a binary search of at most 256 entries,
  // allocating only when a new bucket outgrows the array.
  void record(std::uint64_t us) {
    add_at(bucket_index(us < kMaxTrackableUs ? us : kMaxTrackableUs), 1);
    ++count_;
    sum_ += us;
    min_ = us < min_ ? us : min_;
    max_ = us > max_ ? us : max_;
  }

  // `n` samples of the same value: a Locust worker's report arrives as
  // {rounded ms: count}, not as samples.
  void record_n(std::uint64_t us, std::uint64_t n) {
    if (n == 0) return;
    add_at(bucket_index(us < kMaxTrackableUs ? us : kMaxTrackableUs), n);
    count_ += n;
    sum_ += us * n;
    min_ = us < min_ ? us : min_;
    max_ = us > max_ ? us : max_;
  }

  // Bucket-wise addition; exact.
  void merge(const LatencyHistogram& other);

  // The wire form: visits each non-empty bucket as (index, count), in
  // index order. Dense, it reads every allocated block: for reports, not
  // per request.
  template <typename Visit>
  void for_each_bucket(Visit visit) const {
    if (dense_) {
      for (std::size_t b = 0; b < kBlockCount; ++b) {
        const std::uint64_t* block = dense_->block[b].get();
        if (!block) continue;
        for (std::size_t j = 0; j < kBlockSize; ++j)
          if (block[j]) visit(b * kBlockSize + j, block[j]);
      }
      return;
    }
    for (std::uint16_t i = 0; i < sparse_size_; ++i)
      visit(static_cast<std::size_t>(sparse_[i] >> kSparseCountBits), std::uint64_t{sparse_[i] & kSparseCountMax});
  }
  // Rebuilding a histogram from its wire form, in two steps: add_to_bucket()
  // puts `n` samples in bucket `index` (< kBucketCount; the caller checks)
  // without touching count, sum, min or max, then set_summary() sets those
  // exact figures. Why not record(): the wire carries buckets, not samples,
  // and the sender's exact sum/min/max are better than any bucket's value.
  // The caller keeps count == the sum of the bucket counts.
  void add_to_bucket(std::size_t index, std::uint64_t n) {
    if (n) add_at(index, n);
  }
  void set_summary(std::uint64_t count, std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
    count_ = count;
    sum_ = count ? sum : 0;
    min_ = count ? min : UINT64_MAX;
    max_ = count ? max : 0;
  }

  // Switches to the dense array now (a table known to be hot, and tests
  // comparing the forms). Idempotent; keeps every count.
  void make_dense();
  bool dense() const { return dense_ != nullptr; }
  // Heap bytes the counters hold (0, the sparse array's capacity, or the
  // dense directory and its blocks).
  std::size_t bucket_bytes() const;

  // Removes an earlier snapshot of this same histogram (every bucket of
  // `earlier` must be <= ours), leaving the samples recorded since. Counts,
  // sum and bucket counts stay exact; min and max become estimates within
  // the percentile error bound, since the exact extremes of a window cannot
  // be recovered from two snapshots.
  void subtract(const LatencyHistogram& earlier);

  // Clears the samples but keeps the counters' memory (either form), so
  // recording after a reset does not allocate again.
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
  // Sparse entries: bucket index in the high bits, count in the low 20.
  static constexpr int kSparseCountBits = 20;
  static constexpr std::uint32_t kSparseCountMax = (std::uint32_t{1} << kSparseCountBits) - 1;
  static_assert(kBucketCount <= (std::size_t{1} << (32 - kSparseCountBits)));

  // The dense form: one block of counters per power of two (the layout's
  // 128 sub-buckets; the first two blocks hold the exact values < 256).
  static constexpr std::size_t kBlockSize = std::size_t{1} << kSubBucketBits;
  static constexpr std::size_t kBlockCount = kBucketCount / kBlockSize;
  static_assert(kBlockCount * kBlockSize == kBucketCount);
  struct Blocks {
    std::unique_ptr<std::uint64_t[]> block[kBlockCount];  // null until a sample lands in it
  };
  std::uint64_t* block_for(std::size_t index);  // allocates the block on first use

  // Adds n to a bucket, in whichever form; the hot path is the dense branch.
  void add_at(std::size_t index, std::uint64_t n) {
    if (dense_) [[likely]] {
      std::uint64_t* block = dense_->block[index / kBlockSize].get();
      if (!block) [[unlikely]] block = block_for(index);
      block[index % kBlockSize] += n;
    } else {
      add_sparse(index, n);
    }
  }
  void add_sparse(std::size_t index, std::uint64_t n);
  void subtract_at(std::size_t index, std::uint64_t n);
  void clear_buckets();

  std::unique_ptr<Blocks> dense_;            // the dense form, or null
  std::unique_ptr<std::uint32_t[]> sparse_;  // sorted packed entries, or null (also when dense)
  std::uint16_t sparse_size_ = 0;
  std::uint16_t sparse_capacity_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;  // valid only when count_ > 0
  std::uint64_t max_ = 0;
};

}  // namespace loadhost::stats
