#include "core/engine/loop.hpp"

#include <fmt/format.h>
#include <pthread.h>

#include <utility>

#include "core/engine/clock.hpp"
#include "core/engine/crash_report.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/user_runtime.hpp"

namespace loadhost::core {

namespace {
// Timeouts and stop deadlines are checked this often: the resolution of a
// request timeout, and cheap (only the fronts of the FIFOs are looked at).
constexpr auto kSweepInterval = std::chrono::milliseconds(10);
}  // namespace

Loop::Loop(Engine &engine, uint32_t index)
    : engine_(engine), index_(index), users_(std::make_unique<UserRuntime>(*this)) {}

Loop::~Loop() { stop_thread(); }

void Loop::start_thread() {
  io_.restart();  // a loop may run several tests
  work_.emplace(io_.get_executor());
  arm_sweep_timer();
  thread_ = std::thread([this] {
    thread_id_ = std::this_thread::get_id();
    if (pthread_getcpuclockid(pthread_self(), &cpu_clock_) == 0) has_cpu_clock_.store(true);
    CrashReportThread crash_report(index_, &running_);
    io_.run();
  });
}

void Loop::stop_thread() {
  if (!thread_.joinable()) return;
  // By now the runner has destroyed every user, so nothing of a plugin's is
  // pending; stop() also ends any stray handler rather than waiting on it.
  boost::asio::post(io_, [this] {
    sweep_timer_.cancel();
    work_.reset();
    io_.stop();
  });
  thread_.join();
  has_cpu_clock_.store(false);
  // The shard keeps what was recorded since the last handover: the final
  // drain_outbox takes it (the thread is gone, so nothing writes it).
}

uint64_t Loop::thread_cpu_ns() const {
  if (!has_cpu_clock_.load()) return 0;
  timespec ts{};
  if (clock_gettime(cpu_clock_, &ts) != 0) return 0;
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

void Loop::arm_sweep_timer() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !work_) return;
    uint64_t now = monotonic_ns();
    users_->calls().expire_timeouts(now);
    users_->sweep(now);
    arm_sweep_timer();
  });
}

void Loop::report(const lh_request_event &event) {
  const std::string_view type = to_view(event.type), name = to_view(event.name);
  const std::string_view error = event.error.data ? to_view(event.error) : std::string_view();
  if (event.intended_start_ns == 0) {
    shard_.record(type, name, event.response_time_us, event.bytes_received, error, unix_now_coarse());
  } else {
    // Also from the intended start: the service time plus how late it began.
    uint64_t late_us = event.start_ns > event.intended_start_ns ? (event.start_ns - event.intended_start_ns) / 1000 : 0;
    shard_.record(type, name, event.response_time_us, event.bytes_received, error, unix_now_coarse(),
                  event.response_time_us + late_us);
  }
  if (!hooks_.request.empty()) {
    lh_hook_args args{};
    args.size = sizeof(args);
    args.kind = LH_HOOK_REQUEST;
    args.request = &event;
    for (auto &h : hooks_.request) h.fn(h.ud, &args);
  }
}

void Loop::report_user_error(std::string_view user_class, std::string_view task, std::string_view message) {
  // Where, as Locust's exceptions table keeps a traceback: the first
  // occurrence's is kept (and logged once on the console by the host).
  std::string where = task.empty() ? fmt::format("user class {}", user_class)
                                   : fmt::format("user class {}, task {}", user_class, task);
  shard_.record_exception(message, where);
  if (!hooks_.user_error.empty()) {
    lh_hook_args args{};
    args.size = sizeof(args);
    args.kind = LH_HOOK_USER_ERROR;
    args.user_class = to_lh(user_class);
    args.message = to_lh(message);
    args.task = task.empty() ? kAbsent : to_lh(task);
    for (auto &h : hooks_.user_error) h.fn(h.ud, &args);
  }
}

void Loop::fire_user_hook(lh_hook_kind kind, lh_user *user, std::string_view user_class) {
  const std::vector<HookSubscriber> &subscribers = kind == LH_HOOK_USER_ADD ? hooks_.user_add : hooks_.user_remove;
  if (subscribers.empty()) return;
  lh_hook_args args{};
  args.size = sizeof(args);
  args.kind = kind;
  args.user = user;
  args.user_class = to_lh(user_class);
  for (auto &h : subscribers) h.fn(h.ud, &args);
}

void Loop::flush_shard() {
  if (shard_.empty()) return;
  // Never wait, never merge here: the control thread holds the lock while it
  // merges the outbox (100,000 names take tens of milliseconds), and this
  // is a loop thread. Hand the shard over whole when the outbox has been
  // drained, O(1); otherwise keep recording and try again next second.
  std::unique_lock lock(outbox_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || !outbox_.empty()) return;
  std::swap(shard_, outbox_);  // the drained table, rows already there, becomes the shard
}

void Loop::drain_outbox(stats::StatsTable &into, stats::StatsTable *also) {
  auto drain = [&](stats::StatsTable &table) {
    if (table.empty()) return;
    into.merge(table);
    if (also) also->merge(table);
    table.reset();  // keeps its rows: the next swap hands the loop a warmed-up table
  };
  std::lock_guard lock(outbox_mutex_);
  drain(outbox_);
  if (!thread_.joinable()) drain(shard_);  // joined: the rest, recorded since the last handover
}

void Loop::set_loop_hooks(LoopHooks hooks) {
  // Loops are idle between tests: the control thread may write these then.
  hooks_ = std::move(hooks);
}

}  // namespace loadhost::core
