#include "core/stats/histogram.hpp"

#include <algorithm>
#include <cstring>

namespace loadhost::stats {

namespace {

constexpr std::size_t kExactBuckets = std::size_t{1} << (LatencyHistogram::kSubBucketBits + 1);

}  // namespace

LatencyHistogram::LatencyHistogram(const LatencyHistogram& other)
    : count_(other.count_), sum_(other.sum_), min_(other.min_), max_(other.max_) {
  if (other.dense_) {
    dense_ = std::make_unique<Blocks>();
    for (std::size_t b = 0; b < kBlockCount; ++b)
      if (const std::uint64_t* theirs = other.dense_->block[b].get()) {
        dense_->block[b] = std::make_unique<std::uint64_t[]>(kBlockSize);
        std::memcpy(dense_->block[b].get(), theirs, kBlockSize * sizeof(std::uint64_t));
      }
  } else if (other.sparse_size_) {
    sparse_ = std::make_unique<std::uint32_t[]>(other.sparse_size_);
    sparse_capacity_ = sparse_size_ = other.sparse_size_;
    std::memcpy(sparse_.get(), other.sparse_.get(), sparse_size_ * sizeof(std::uint32_t));
  }
}

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& other) {
  if (this == &other) return *this;
  // Reuse our memory when it fits: the window keeps snapshots in a ring and
  // copies into them every second, which must not allocate once warm. Dense
  // takes either form (a block it lacks is allocated once); a sparse array
  // grows only when it must.
  if (other.dense_) {
    make_dense();
    for (std::size_t b = 0; b < kBlockCount; ++b) {
      const std::uint64_t* theirs = other.dense_->block[b].get();
      std::unique_ptr<std::uint64_t[]>& mine = dense_->block[b];
      if (theirs) {
        if (!mine) mine = std::make_unique<std::uint64_t[]>(kBlockSize);
        std::memcpy(mine.get(), theirs, kBlockSize * sizeof(std::uint64_t));
      } else if (mine) {
        std::memset(mine.get(), 0, kBlockSize * sizeof(std::uint64_t));
      }
    }
  } else if (dense_) {
    clear_buckets();
    other.for_each_bucket([&](std::size_t i, std::uint64_t n) { add_at(i, n); });
  } else {
    if (sparse_capacity_ < other.sparse_size_) {
      sparse_ = std::make_unique<std::uint32_t[]>(other.sparse_size_);
      sparse_capacity_ = other.sparse_size_;
    }
    sparse_size_ = other.sparse_size_;
    if (sparse_size_) std::memcpy(sparse_.get(), other.sparse_.get(), sparse_size_ * sizeof(std::uint32_t));
  }
  count_ = other.count_;
  sum_ = other.sum_;
  min_ = other.min_;
  max_ = other.max_;
  return *this;
}

std::uint64_t* LatencyHistogram::block_for(std::size_t index) {
  std::unique_ptr<std::uint64_t[]>& block = dense_->block[index / kBlockSize];
  if (!block) block = std::make_unique<std::uint64_t[]>(kBlockSize);  // zeroed
  return block.get();
}

void LatencyHistogram::make_dense() {
  if (dense_) return;
  dense_ = std::make_unique<Blocks>();
  for (std::uint16_t i = 0; i < sparse_size_; ++i) {
    const std::size_t index = sparse_[i] >> kSparseCountBits;
    block_for(index)[index % kBlockSize] = sparse_[i] & kSparseCountMax;
  }
  sparse_.reset();
  sparse_size_ = sparse_capacity_ = 0;
}

std::size_t LatencyHistogram::bucket_bytes() const {
  if (!dense_) return sparse_capacity_ * sizeof(std::uint32_t);
  std::size_t bytes = sizeof(Blocks);
  for (const auto& block : dense_->block)
    if (block) bytes += kBlockSize * sizeof(std::uint64_t);
  return bytes;
}

// The sparse form's slow path: find the bucket (binary search; the entries
// sort by bucket because it is in the high bits), add to it or insert it,
// and turn dense when an entry would overflow or the array is full.
void LatencyHistogram::add_sparse(std::size_t index, std::uint64_t n) {
  const std::uint32_t key = static_cast<std::uint32_t>(index) << kSparseCountBits;
  std::uint32_t* begin = sparse_.get();
  std::uint32_t* end = begin + sparse_size_;
  std::uint32_t* at = std::lower_bound(begin, end, key);
  if (at != end && (*at >> kSparseCountBits) == index) {
    if ((*at & kSparseCountMax) + n <= kSparseCountMax && count_ < kSparseMaxSamples) {
      *at += static_cast<std::uint32_t>(n);
      return;
    }
  } else if (n <= kSparseCountMax && sparse_size_ < kSparseMaxBuckets && count_ < kSparseMaxSamples) {
    const std::size_t pos = static_cast<std::size_t>(at - begin);
    if (sparse_size_ == sparse_capacity_) {
      // Grow by doubling (4, 8, ... 256 entries): a name with few samples
      // stays a few dozen bytes.
      const std::uint16_t capacity = static_cast<std::uint16_t>(
          std::min<std::size_t>(kSparseMaxBuckets, sparse_capacity_ ? 2u * sparse_capacity_ : 4u));
      auto grown = std::make_unique<std::uint32_t[]>(capacity);
      if (sparse_size_) std::memcpy(grown.get(), begin, sparse_size_ * sizeof(std::uint32_t));
      sparse_ = std::move(grown);
      sparse_capacity_ = capacity;
      begin = sparse_.get();
    }
    std::memmove(begin + pos + 1, begin + pos, (sparse_size_ - pos) * sizeof(std::uint32_t));
    begin[pos] = key | static_cast<std::uint32_t>(n);
    ++sparse_size_;
    return;
  }
  make_dense();
  add_at(index, n);
}

// Only for buckets the histogram holds (subtract's precondition).
void LatencyHistogram::subtract_at(std::size_t index, std::uint64_t n) {
  if (dense_) {
    if (std::uint64_t* block = dense_->block[index / kBlockSize].get()) block[index % kBlockSize] -= n;
    return;
  }
  const std::uint32_t key = static_cast<std::uint32_t>(index) << kSparseCountBits;
  std::uint32_t* end = sparse_.get() + sparse_size_;
  std::uint32_t* at = std::lower_bound(sparse_.get(), end, key);
  if (at != end && (*at >> kSparseCountBits) == index) *at -= static_cast<std::uint32_t>(n);
}

void LatencyHistogram::clear_buckets() {
  if (dense_)
    for (auto& block : dense_->block)
      if (block) std::memset(block.get(), 0, kBlockSize * sizeof(std::uint64_t));
  sparse_size_ = 0;
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
  if (other.dense_) {
    make_dense();
    for (std::size_t b = 0; b < kBlockCount; ++b) {
      const std::uint64_t* theirs = other.dense_->block[b].get();
      if (!theirs) continue;
      std::uint64_t* mine = block_for(b * kBlockSize);
      for (std::size_t j = 0; j < kBlockSize; ++j) mine[j] += theirs[j];
    }
  } else {
    for (std::uint16_t i = 0; i < other.sparse_size_; ++i)
      add_at(other.sparse_[i] >> kSparseCountBits, other.sparse_[i] & kSparseCountMax);
  }
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::subtract(const LatencyHistogram& earlier) {
  if (earlier.count_ == 0 || (!dense_ && !sparse_size_)) return;
  std::size_t first = kBucketCount;
  std::size_t last = 0;
  if (dense_ && earlier.dense_) {
    // The common case of a hot window: one pass over both sets of blocks
    // (the earlier snapshot's blocks are a subset of ours).
    for (std::size_t b = 0; b < kBlockCount; ++b) {
      std::uint64_t* mine = dense_->block[b].get();
      if (!mine) continue;
      const std::uint64_t* theirs = earlier.dense_->block[b].get();
      for (std::size_t j = 0; j < kBlockSize; ++j) {
        if (theirs) mine[j] -= theirs[j];
        if (mine[j] != 0) {
          first = std::min(first, b * kBlockSize + j);
          last = b * kBlockSize + j;
        }
      }
    }
  } else {
    earlier.for_each_bucket([&](std::size_t i, std::uint64_t n) { subtract_at(i, n); });
    if (!dense_) {
      // Drop the emptied entries, keeping the order.
      std::uint16_t kept = 0;
      for (std::uint16_t i = 0; i < sparse_size_; ++i)
        if (sparse_[i] & kSparseCountMax) sparse_[kept++] = sparse_[i];
      sparse_size_ = kept;
    }
    for_each_bucket([&](std::size_t i, std::uint64_t) {
      first = std::min(first, i);
      last = i;
    });
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
  clear_buckets();
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

double LatencyHistogram::value_at_rank(std::uint64_t rank) const {
  if (count_ == 0) return 0.0;
  if (rank >= count_ - 1) return static_cast<double>(max_);
  if (rank == 0) return static_cast<double>(min_);
  // The bucket holding the rank; its midpoint (of the integer values the
  // bucket holds) halves the worst case error compared to reporting a bound.
  std::uint64_t seen = 0;
  std::size_t found = kBucketCount;
  if (dense_) {
    for (std::size_t b = 0; b < kBlockCount && found == kBucketCount; ++b) {
      const std::uint64_t* block = dense_->block[b].get();
      if (!block) continue;
      for (std::size_t j = 0; j < kBlockSize && found == kBucketCount; ++j)
        if ((seen += block[j]) > rank) found = b * kBlockSize + j;
    }
  } else {
    for (std::uint16_t i = 0; i < sparse_size_ && found == kBucketCount; ++i)
      if ((seen += sparse_[i] & kSparseCountMax) > rank) found = sparse_[i] >> kSparseCountBits;
  }
  if (found == kBucketCount) return static_cast<double>(max_);  // unreachable while counts are consistent
  const double mid = static_cast<double>(bucket_lower_bound(found)) +
                     static_cast<double>(bucket_width(found) - 1) / 2.0;
  return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
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
