#include "core/stats/stats_table.hpp"

#include <algorithm>
#include <atomic>
#include <utility>
#include <tuple>

namespace loadhost::stats {

namespace {

template <typename Map>
auto sorted_values(const Map& map, auto less) {
  std::vector<const typename Map::mapped_type*> rows;
  rows.reserve(map.size());
  for (const auto& [key, value] : map) rows.push_back(&value);
  std::sort(rows.begin(), rows.end(), [&](auto* a, auto* b) { return less(*a, *b); });
  return rows;
}

}  // namespace

StatsTable::StatsTable(double start_time) : start_time_(start_time) {}

std::uint64_t StatsTable::new_id() {
  static std::atomic<std::uint64_t> next{1};  // 0: "no table" in StatsEntry::peer_table_
  return next.fetch_add(1, std::memory_order_relaxed);
}

StatsTable::StatsTable(StatsTable&& other) noexcept
    : id_(std::exchange(other.id_, new_id())),
      start_time_(other.start_time_),
      requests_sent_(std::exchange(other.requests_sent_, 0)),
      iterations_(std::exchange(other.iterations_, {})),
      total_(std::move(other.total_)),
      entries_(std::move(other.entries_)),
      active_(std::move(other.active_)),
      failures_(std::move(other.failures_)),
      exceptions_(std::move(other.exceptions_)) {
  other.active_.clear();
}

StatsTable& StatsTable::operator=(StatsTable&& other) noexcept {
  if (this == &other) return *this;
  id_ = std::exchange(other.id_, new_id());
  start_time_ = other.start_time_;
  requests_sent_ = std::exchange(other.requests_sent_, 0);
  iterations_ = std::exchange(other.iterations_, {});
  total_ = std::move(other.total_);
  entries_ = std::move(other.entries_);
  active_ = std::move(other.active_);
  failures_ = std::move(other.failures_);
  exceptions_ = std::move(other.exceptions_);
  other.entries_.clear();
  other.active_.clear();
  return *this;
}

StatsTable::StatsTable(const StatsTable& other)
    : start_time_(other.start_time_),
      requests_sent_(other.requests_sent_),
      iterations_(other.iterations_),
      total_(other.total_),
      entries_(other.entries_),
      failures_(other.failures_),
      exceptions_(other.exceptions_) {
  for (auto& [key, entry] : entries_)
    if (entry.listed_) active_.push_back(&entry);
}

StatsTable& StatsTable::operator=(const StatsTable& other) {
  if (this != &other) *this = StatsTable(other);
  return *this;
}

StatsEntry& StatsTable::entry_for(std::string_view type, std::string_view name) {
  const detail::KeyView<2> key{type, name};
  if (auto it = entries_.find(key); it != entries_.end()) [[likely]] {
    return it->second;
  }
  return entries_
      .try_emplace(detail::Key<2>{{std::string(type), std::string(name)}}, std::string(type),
                   std::string(name))
      .first->second;
}

void StatsTable::record(std::string_view type, std::string_view name,
                        std::uint64_t response_time_us, std::uint64_t content_bytes,
                        std::string_view error, double unix_now) {
  record_sample(type, name, response_time_us, content_bytes, error, unix_now);
}

void StatsTable::record(std::string_view type, std::string_view name,
                        std::uint64_t response_time_us, std::uint64_t content_bytes,
                        std::string_view error, double unix_now, std::uint64_t corrected_response_time_us) {
  record_sample(type, name, response_time_us, content_bytes, error, unix_now)
      .record_corrected(corrected_response_time_us);
  total_.record_corrected(corrected_response_time_us);
}

StatsEntry& StatsTable::record_sample(std::string_view type, std::string_view name,
                                      std::uint64_t response_time_us, std::uint64_t content_bytes,
                                      std::string_view error, double unix_now) {
  if (start_time_ == 0.0) [[unlikely]] start_time_ = unix_now;
  const bool failed = !error.empty();
  StatsEntry& entry = activate(entry_for(type, name));
  entry.record(response_time_us, content_bytes, failed, unix_now);
  total_.record(response_time_us, content_bytes, failed, unix_now);
  if (failed) record_failure(type, name, error, unix_now);
  return entry;
}

void StatsTable::record_failure(std::string_view type, std::string_view name,
                                std::string_view error, double unix_now) {
  record_failures(type, name, error, 1, unix_now);
}

void StatsTable::record_failures(std::string_view type, std::string_view name, std::string_view error,
                                 std::uint64_t occurrences, double unix_now) {
  const detail::KeyView<3> key{type, name, error};
  auto it = failures_.find(key);
  if (it == failures_.end()) {
    it = failures_
             .try_emplace(
                 detail::Key<3>{{std::string(type), std::string(name), std::string(error)}},
                 Failure{std::string(type), std::string(name), std::string(error), 0, unix_now,
                         unix_now})
             .first;
  }
  Failure& failure = it->second;
  failure.occurrences_ += occurrences;
  failure.first_seen_ = std::min(failure.first_seen_, unix_now);
  failure.last_seen_ = std::max(failure.last_seen_, unix_now);
}

void StatsTable::record_exception(std::string_view message, std::string_view detail, std::uint64_t count) {
  const detail::KeyView<1> key{message};
  auto it = exceptions_.find(key);
  if (it == exceptions_.end()) {
    it = exceptions_
             .try_emplace(detail::Key<1>{{std::string(message)}},
                          ExceptionRecord{std::string(message), std::string(detail), 0})
             .first;
  }
  it->second.count_ += count;
}

void StatsTable::merge(const StatsTable& other) {
  if (other.start_time_ != 0.0 && (start_time_ == 0.0 || other.start_time_ < start_time_)) {
    start_time_ = other.start_time_;
  }
  requests_sent_ += other.requests_sent_;
  iterations_.started += other.iterations_.started;
  iterations_.dropped += other.iterations_.dropped;
  total_.merge(other.total_);
  // At most one rehash however many rows are new (the first merge of
  // 100,000 names creates them all).
  if (entries_.size() + other.active_.size() > entries_.bucket_count() * entries_.max_load_factor())
    entries_.reserve(entries_.size() + other.active_.size());
  for (const StatsEntry* entry : other.active_) {
    if (entry->num_requests() == 0 && entry->num_failures() == 0) continue;  // listed, then left empty
    if (entry->peer_table_ != id_) {
      entry->peer_ = &entry_for(entry->type(), entry->name());  // rows are never erased: it stays valid
      entry->peer_table_ = id_;
    }
    activate(*entry->peer_).merge(*entry);
  }
  for (const auto& [key, failure] : other.failures_) {
    auto [it, inserted] = failures_.try_emplace(key, failure);
    if (inserted) continue;
    Failure& mine = it->second;
    mine.occurrences_ += failure.occurrences_;
    mine.first_seen_ = std::min(mine.first_seen_, failure.first_seen_);
    mine.last_seen_ = std::max(mine.last_seen_, failure.last_seen_);
  }
  for (const auto& [key, exception] : other.exceptions_) {
    auto [it, inserted] = exceptions_.try_emplace(key, exception);
    if (inserted) continue;
    it->second.count_ += exception.count_;
    if (it->second.detail_.empty()) it->second.detail_ = exception.detail_;
  }
}

void StatsTable::reset(double start_time) {
  start_time_ = start_time;
  requests_sent_ = 0;
  iterations_ = {};
  total_.reset();
  for (StatsEntry* entry : active_) {
    entry->reset();
    entry->listed_ = false;
  }
  active_.clear();
  failures_.clear();
  exceptions_.clear();
}

bool StatsTable::empty() const {
  return requests_sent_ == 0 && iterations_.started == 0 && iterations_.dropped == 0 &&
         total_.num_requests() == 0 && failures_.empty() && exceptions_.empty();
}

const StatsEntry* StatsTable::find(std::string_view type, std::string_view name) const {
  auto it = entries_.find(detail::KeyView<2>{type, name});
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const StatsEntry*> StatsTable::sorted_entries() const {
  return sorted_values(entries_, [](const StatsEntry& a, const StatsEntry& b) {
    return std::tie(a.name(), a.type()) < std::tie(b.name(), b.type());
  });
}

std::vector<const Failure*> StatsTable::sorted_failures() const {
  return sorted_values(failures_, [](const Failure& a, const Failure& b) {
    return std::tie(a.method_, a.name_, a.error_) < std::tie(b.method_, b.name_, b.error_);
  });
}

std::vector<const ExceptionRecord*> StatsTable::sorted_exceptions() const {
  return sorted_values(exceptions_, [](const ExceptionRecord& a, const ExceptionRecord& b) {
    return a.message_ < b.message_;
  });
}

}  // namespace loadhost::stats
