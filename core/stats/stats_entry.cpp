#include "core/stats/stats_entry.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace loadhost::stats {

namespace {

std::int64_t unix_second(double unix_time) {
  return static_cast<std::int64_t>(std::floor(unix_time));
}

// Locust's CURRENT window: range(max(last - 12, start), last - 2).
constexpr std::int64_t kCurrentWindowBack = 12;
constexpr std::int64_t kCurrentWindowSkip = 2;

// A ring slot's tag: the unix second + 1 (0 marks an unused slot), or 0 for
// a second the 32-bit tag cannot hold (before 1970, after 2106): such a
// sample counts everywhere but in the rate ring.
std::uint32_t tag_of(std::int64_t second) {
  return second >= 0 && second < std::int64_t{UINT32_MAX} ? static_cast<std::uint32_t>(second + 1) : 0;
}

// Per-second counts are 32-bit (4 billion a second per name); a wire report
// claiming more saturates instead of wrapping.
std::uint32_t add_saturated(std::uint32_t a, std::uint64_t b) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{a} + b, UINT32_MAX));
}

}  // namespace

StatsEntry::StatsEntry(std::string type, std::string name)
    : type_(std::move(type)), name_(std::move(name)) {}

void StatsEntry::record(std::uint64_t response_time_us, std::uint64_t content_bytes, bool failed,
                        double unix_now) {
  histogram_.record(response_time_us);
  num_failures_ += failed ? 1 : 0;
  total_content_length_ += content_bytes;
  if (first_request_time_ == 0.0) first_request_time_ = unix_now;
  last_request_time_ = std::max(last_request_time_, unix_now);

  const std::uint32_t tag = tag_of(unix_second(unix_now));
  if (tag == 0) return;
  SecondCounts& slot = per_second_[(tag - 1) % kRateRingSeconds];
  if (slot.tag_ != tag) {
    // A sample older than the slot's second belongs to a second that has
    // already left the ring; only the rate window would have used it.
    if (tag < slot.tag_) return;
    slot = SecondCounts{tag, 0, 0};
  }
  // One at a time, a 32-bit slot cannot fill within its second.
  ++slot.requests_;
  slot.failures_ += failed ? 1 : 0;
}

void StatsEntry::merge(const StatsEntry& other) {
  histogram_.merge(other.histogram_);
  corrected_.merge(other.corrected_);
  num_failures_ += other.num_failures_;
  total_content_length_ += other.total_content_length_;
  if (other.first_request_time_ != 0.0 &&
      (first_request_time_ == 0.0 || other.first_request_time_ < first_request_time_)) {
    first_request_time_ = other.first_request_time_;
  }
  last_request_time_ = std::max(last_request_time_, other.last_request_time_);

  for (std::size_t i = 0; i < per_second_.size(); ++i) {
    SecondCounts& mine = per_second_[i];
    const SecondCounts& theirs = other.per_second_[i];
    if (theirs.tag_ == mine.tag_) {
      mine.requests_ = add_saturated(mine.requests_, theirs.requests_);
      mine.failures_ = add_saturated(mine.failures_, theirs.failures_);
    } else if (theirs.tag_ > mine.tag_) {
      mine = theirs;  // ours is older than the newest 20 seconds: drop it
    }
  }
}

void StatsEntry::merge_counts(LatencyHistogram histogram, const Counts& counts) {
  if (histogram_.empty()) {
    histogram_ = std::move(histogram);
  } else {
    histogram_.merge(histogram);
  }
  num_failures_ += counts.num_failures;
  total_content_length_ += counts.content_bytes;
  if (counts.first_request_time != 0.0 &&
      (first_request_time_ == 0.0 || counts.first_request_time < first_request_time_)) {
    first_request_time_ = counts.first_request_time;
  }
  last_request_time_ = std::max(last_request_time_, counts.last_request_time);
}

void StatsEntry::merge_second(std::int64_t second, std::uint64_t requests, std::uint64_t failures) {
  const std::uint32_t tag = tag_of(second);
  if (tag == 0) return;
  SecondCounts& slot = per_second_[(tag - 1) % kRateRingSeconds];
  if (slot.tag_ == tag) {
    slot.requests_ = add_saturated(slot.requests_, requests);
    slot.failures_ = add_saturated(slot.failures_, failures);
  } else if (tag > slot.tag_) {
    slot = SecondCounts{tag, add_saturated(0, requests), add_saturated(0, failures)};
  }
}

void StatsEntry::reset() {
  histogram_.reset();
  corrected_.reset();
  num_failures_ = 0;
  total_content_length_ = 0;
  first_request_time_ = 0.0;
  last_request_time_ = 0.0;
  per_second_.fill(SecondCounts{});
}

double StatsEntry::fail_ratio() const {
  if (num_requests() == 0) return num_failures_ > 0 ? 1.0 : 0.0;
  return static_cast<double>(num_failures_) / static_cast<double>(num_requests());
}

double StatsEntry::average_content_size() const {
  if (num_requests() == 0) return 0.0;
  return static_cast<double>(total_content_length_) / static_cast<double>(num_requests());
}

double StatsEntry::total_rps(double start_time, double end_time) const {
  if (start_time == 0.0 || end_time <= start_time) return 0.0;
  return static_cast<double>(num_requests()) / (end_time - start_time);
}

double StatsEntry::total_fail_per_sec(double start_time, double end_time) const {
  if (start_time == 0.0 || end_time <= start_time) return 0.0;
  return static_cast<double>(num_failures_) / (end_time - start_time);
}

template <typename Count>
double StatsEntry::current_rate(double now, double start_time, Count count) const {
  if (now == 0.0) return 0.0;
  const std::int64_t last = unix_second(now);
  const std::int64_t from = std::max(last - kCurrentWindowBack, unix_second(start_time));
  const std::int64_t to = last - kCurrentWindowSkip;  // exclusive
  if (to <= from) return 0.0;
  std::uint64_t sum = 0;
  for (const SecondCounts& slot : per_second_) {
    if (slot.tag_ && slot.second() >= from && slot.second() < to) sum += count(slot);
  }
  return static_cast<double>(sum) / static_cast<double>(to - from);
}

double StatsEntry::current_rps(double now, double start_time) const {
  return current_rate(now, start_time, [](const SecondCounts& s) { return s.requests_; });
}

double StatsEntry::current_fail_per_sec(double now, double start_time) const {
  return current_rate(now, start_time, [](const SecondCounts& s) { return s.failures_; });
}

}  // namespace loadhost::stats
