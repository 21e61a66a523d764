// The lh_host function table: each entry converts the opaque handles back to
// engine objects and forwards. Nothing here may throw across the ABI: the
// functions that allocate catch and turn failure into the documented result.
#include <fmt/format.h>

#include "core/engine/clock.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/fd_watch.hpp"
#include "core/engine/timers.hpp"
#include "core/engine/user_runtime.hpp"
#include "core/transport/connection.hpp"

namespace loadhost::core {

namespace {

CallEngine &calls_of(Loop &loop) { return loop.users().calls(); }

lh_running *host_running_slot(lh_loop *loop) { return &Loop::from(loop).running(); }

void host_set_exit_code(const lh_host *host, int32_t code) { Engine::from(host).set_exit_code(code & 0xff); }

void host_set_user_count(const lh_host *host, uint32_t users, double spawn_rate) {
  Engine::from(host).request_user_count(users, spawn_rate);
}

uint64_t host_user_count(const lh_host *host) { return Engine::from(host).user_count(); }

const void *host_get_extension(const lh_host *, const char *id) {
  static const lh_host_running running{sizeof(lh_host_running), &host_running_slot};
  static const lh_host_run_control run_control{sizeof(lh_host_run_control), &host_set_exit_code,
                                               &host_set_user_count, &host_user_count};
  if (id && std::string_view(id) == LH_HOST_FD_WATCH_ID) return fd_watch_table();
  if (id && std::string_view(id) == LH_HOST_RUNNING_ID) return &running;
  if (id && std::string_view(id) == LH_HOST_RUN_CONTROL_ID) return &run_control;
  return nullptr;
}

uint64_t host_now_ns(const lh_host *) { return monotonic_ns(); }

void host_log(const lh_host *host, lh_log_level level, lh_str message) {
  Engine::from(host).log(level, to_view(message));
}

lh_str host_option(const lh_host *host, const char *name) {
  return Engine::from(host).option(name ? name : "");
}

void host_request_quit(const lh_host *host, lh_str reason) {
  Engine::from(host).request_quit(std::string(to_view(reason)));
}

uint32_t host_loop_index(const lh_loop *loop) {
  return static_cast<const Loop *>(loop)->index();
}

void host_post(lh_loop *loop, lh_task_fn fn, void *ud) { Loop::from(loop).post(fn, ud); }

lh_timer *host_timer_create(lh_loop *loop, lh_task_fn fn, void *ud) {
  try {
    return new Timer(Loop::from(loop), fn, ud);
  } catch (...) {
    return nullptr;
  }
}
void host_timer_arm(lh_timer *t, uint64_t delay_us) { Timer::from(t).arm(delay_us); }
void host_timer_disarm(lh_timer *t) { Timer::from(t).disarm(); }
void host_timer_destroy(lh_timer *t) {
  if (t) Timer::from(t).destroy();
}

lh_waker *host_waker_create(lh_loop *loop, lh_task_fn fn, void *ud) {
  try {
    return new Waker(Loop::from(loop), fn, ud);
  } catch (...) {
    return nullptr;
  }
}
void host_waker_wake(lh_waker *w) { Waker::from(w).wake(); }
void host_waker_destroy(lh_waker *w) {
  if (w) Waker::from(w).destroy();
}

lh_conn *host_conn_open(lh_loop *loop, const lh_conn_options *options,
                        const lh_conn_callbacks *callbacks, void *ud) {
  try {
    return Connection::open(Loop::from(loop), *options, *callbacks, ud);
  } catch (...) {
    return nullptr;
  }
}
void host_conn_write(lh_conn *c, const uint8_t *data, size_t size) {
  Connection::from(c).write(data, size);
}
void host_conn_close(lh_conn *c) {
  if (c) Connection::from(c).close();
}

lh_session *host_session_open(lh_user *u, lh_str protocol, lh_str base_url,
                              const lh_kv *options, size_t option_count, lh_str *error) {
  User &user = User::from(u);
  try {
    return calls_of(*user.loop).open_session(user, to_view(protocol), to_view(base_url),
                                             options, option_count, error);
  } catch (const std::exception &e) {
    user.loop->error_scratch() = e.what();
    if (error) *error = to_lh(user.loop->error_scratch());
    return nullptr;
  }
}
void host_session_close(lh_session *s) {
  Session &session = Session::from(s);
  calls_of(*session.loop).close_session(session);
}

lh_call *host_call_start(lh_session *s, const lh_request *request, lh_call_done_fn done,
                         void *ud) {
  Session &session = Session::from(s);
  return calls_of(*session.loop).start(session, *request, done, ud);
}
void host_call_cancel(lh_call *c) {
  Call &call = Call::from(c);
  calls_of(*call.session->loop).cancel(call);
}
void host_call_complete(lh_call *c, const lh_response *response) {
  Call &call = Call::from(c);
  calls_of(*call.session->loop).complete(call, *response);
}

void host_report(lh_loop *loop, const lh_request_event *event) { Loop::from(loop).report(*event); }

lh_loop *host_user_loop(const lh_user *u) { return User::from(u).loop; }

void host_user_error(lh_user *u, lh_str message) {
  User &user = User::from(u);
  // Which task: what the scenario noted in the loop's running slot, when
  // that is this user (running.h).
  const lh_running &running = user.loop->running();
  std::string_view task = running.user == u && running.task ? std::string_view(running.task) : std::string_view();
  user.loop->report_user_error(user.cls->name, task, to_view(message));
}

void host_user_finished(lh_user *u) {
  User &user = User::from(u);
  user.loop->users().user_finished(user);
}

bool host_user_is_open(const lh_user *u) { return User::from(u).lane != nullptr; }

void host_iteration_done(lh_user *u) {
  User &user = User::from(u);
  user.loop->users().arrivals().user_ready(user);
}

void host_iteration_begins(lh_user *u, uint64_t intended_start_ns) {
  User &user = User::from(u);
  uint64_t now = monotonic_ns();
  user.has_intended_start = true;
  user.lateness_ns = now > intended_start_ns ? now - intended_start_ns : 0;
}

void host_deferred_report_dropped(lh_user *u) { User::from(u).loop->withdraw_sent(); }

uint64_t host_hook_subscribe(const lh_host *host, lh_hook_kind kind, lh_hook_fn fn, void *ud) {
  return Engine::from(host).hooks().subscribe(kind, fn, ud);
}
void host_hook_unsubscribe(const lh_host *host, uint64_t id) {
  Engine::from(host).hooks().unsubscribe(id);
}

}  // namespace

lh_host make_host_table() {
  lh_host h{};
  h.abi = {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR};
  h.name = "loadhost";
  h.version = LOADHOST_VERSION;
  h.get_extension = host_get_extension;
  h.now_ns = host_now_ns;
  h.log = host_log;
  h.option = host_option;
  h.request_quit = host_request_quit;
  h.loop_index = host_loop_index;
  h.post = host_post;
  h.timer_create = host_timer_create;
  h.timer_arm = host_timer_arm;
  h.timer_disarm = host_timer_disarm;
  h.timer_destroy = host_timer_destroy;
  h.waker_create = host_waker_create;
  h.waker_wake = host_waker_wake;
  h.waker_destroy = host_waker_destroy;
  h.conn_open = host_conn_open;
  h.conn_write = host_conn_write;
  h.conn_close = host_conn_close;
  h.session_open = host_session_open;
  h.session_close = host_session_close;
  h.call_start = host_call_start;
  h.call_cancel = host_call_cancel;
  h.call_complete = host_call_complete;
  h.report = host_report;
  h.user_loop = host_user_loop;
  h.user_error = host_user_error;
  h.user_finished = host_user_finished;
  h.hook_subscribe = host_hook_subscribe;
  h.hook_unsubscribe = host_hook_unsubscribe;
  h.user_is_open = host_user_is_open;
  h.iteration_done = host_iteration_done;
  h.iteration_begins = host_iteration_begins;
  h.deferred_report_dropped = host_deferred_report_dropped;
  return h;
}

}  // namespace loadhost::core
