#include "core/engine/call_engine.hpp"

#include <fmt/format.h>

#include <cstddef>

#include "core/engine/clock.hpp"
#include "core/engine/connect_backoff.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/loop.hpp"
#include "core/engine/user_runtime.hpp"
#include "core/loader/plugin_registry.hpp"

namespace loadhost::core {

namespace {

std::string_view url_scheme(std::string_view url) {
  auto pos = url.find("://");
  return pos == std::string_view::npos ? std::string_view() : url.substr(0, pos);
}

// LH_RESPONSE_* of a response; a plugin built before ABI 1.1 has none.
uint32_t flags_of(const lh_response &response) {
  return response.size >= offsetof(lh_response, flags) + sizeof(response.flags) ? response.flags : 0;
}

// The one error of a call still in flight when the test ended: one row in
// the failures table however many there were, as Locust groups errors.
constexpr std::string_view kInterrupted = "interrupted: no response before the test stopped";

std::string describe_timeout(uint64_t ns) {
  double s = double(ns) / 1e9;
  return fmt::format("timeout: no response within {:g} s", s);
}

}  // namespace

CallEngine::CallEngine(Loop &loop) : loop_(loop) {}
CallEngine::~CallEngine() = default;

lh_session *CallEngine::open_session(User &user, std::string_view protocol_id,
                                     std::string_view base_url, const lh_kv *options,
                                     size_t option_count, lh_str *error) {
  auto fail = [&](std::string message) -> lh_session * {
    loop_.error_scratch() = std::move(message);
    if (error) *error = to_lh(loop_.error_scratch());
    return nullptr;
  };
  // A target no plugin can open fails every user the same way, forever
  // (quick mode once spun at 130,000 exceptions a second and exited 0): the
  // test stops at once with the reason. A call to an unknown protocol id is
  // one call of the scenario's failing; the others may go on.
  auto fail_target = [&](std::string message) -> lh_session * {
    loop_.engine().fail_test(message);
    // This loop's users end now, not when the control thread's stop comes
    // round: meanwhile a user with no wait would fail a thousand times.
    boost::asio::post(loop_.io(), [&users = loop_.users()] { users.kill_all(); });
    return fail(std::move(message));
  };
  PluginRegistry &registry = loop_.engine().plugins();
  const lh_protocol *protocol = nullptr;
  if (!protocol_id.empty()) {
    protocol = registry.protocol_by_id(protocol_id);
    if (!protocol)
      return fail(fmt::format("no protocol plugin with id '{}' is loaded (loaded: {})",
                              protocol_id, registry.protocol_ids()));
  } else {
    std::string_view scheme = url_scheme(base_url);
    if (scheme.empty())
      return fail_target(fmt::format("no host to connect to: '{}' is not a URL like "
                                     "http://127.0.0.1:8080 (set -H/--host)",
                                     base_url));
    protocol = registry.protocol_by_scheme(scheme);
    if (!protocol)
      return fail_target(fmt::format("no protocol plugin serves '{}' (scheme {}://; loaded: {})", base_url,
                                     scheme, registry.protocol_ids()));
  }

  lh_session_config config{};
  config.size = sizeof(config);
  config.loop = &loop_;
  config.base_url = to_lh(base_url);
  config.options = options;
  config.option_count = option_count;
  config.user_class = lh_str{user.cls->name, std::char_traits<char>::length(user.cls->name)};
  lh_str plugin_error = kAbsent;
  void *plugin_session = protocol->session_create(protocol, &config, &plugin_error);
  if (!plugin_session) {
    std::string_view id = protocol->descriptor->id;
    std::string_view why = plugin_error.data ? to_view(plugin_error) : "unknown reason";
    if (why.starts_with(id) && why.substr(id.size()).starts_with(": ")) why.remove_prefix(id.size() + 2);
    return fail_target(fmt::format("{}: cannot open a session for '{}': {}", id, base_url, why));
  }

  auto *session = new Session();
  session->loop = &loop_;
  session->user = &user;
  session->protocol = protocol;
  session->plugin_session = plugin_session;
  session->default_timeout_ns = loop_.engine().config().default_timeout_ns;
  user.sessions.push_back(*session);
  return session;
}

void CallEngine::close_session(Session &session) {
  // The scenario's choice: its calls still in flight are withdrawn, as a
  // cancel is. (The host closes a user's sessions only once nothing of
  // theirs is in flight, or after interrupt_session has counted it.)
  while (!session.calls.empty()) cancel(session.calls.front());
  session.protocol->session_destroy(session.plugin_session);
  session.unlink();
  delete &session;
}

Call &CallEngine::acquire() {
  if (free_.empty()) {
    pool_storage_.push_back(std::make_unique<Call>());
    return *pool_storage_.back();
  }
  Call *call = free_.back();
  free_.pop_back();
  return *call;
}

void CallEngine::release(Call &call) {
  CallTimeouts::remove(call);
  call.SessionCallHook::unlink();
  call.session = nullptr;
  call.done = nullptr;
  call.in_plugin_start = call.forwarded = call.parked = call.ended_by_host = false;
  call.has_early_result = call.early_error_set = false;
  if (call.pacing && call.pace_timer) call.pace_timer->cancel();
  call.pacing = false;
  ++call.generation;
  free_.push_back(&call);
}

lh_call *CallEngine::start(Session &session, const lh_request &request, lh_call_done_fn done,
                           void *ud) {
  Call &call = acquire();
  call.session = &session;
  call.done = done;
  call.ud = ud;
  call.flags = request.flags;
  call.start_ns = monotonic_ns();
  // The iteration's lateness applies to each of its calls, so every
  // protocol gets an intended start with no change of its own
  // (docs/workload-models.md); the request's own, when set, wins.
  const User &caller = *session.user;
  call.intended_start_ns = request.intended_start_ns ? request.intended_start_ns
                           : caller.has_intended_start   ? call.start_ns - caller.lateness_ns
                                                         : 0;
  call.timeout_ns = request.timeout_us ? request.timeout_us * 1000 : session.default_timeout_ns;
  call.type.assign(to_view(request.operation));
  std::string_view name = to_view(request.name);
  call.name.assign(name.empty() ? to_view(request.target) : name);
  session.calls.push_back(call);

  User &user = *session.user;
  if (user.state == UserState::killed) {
    // A killed user is never resumed; its new calls stay parked until the
    // user is destroyed, and never reach the wire.
    call.parked = true;
    return &call;
  }
  ++user.in_flight;
  ++in_flight_;
  loop_.timeouts().add(call, call.start_ns, call.timeout_ns);
  call.forwarded = true;
  loop_.count_sent();  // from here the call owes the stats exactly one result
  call.in_plugin_start = true;
  session.protocol->call_start(session.plugin_session, &call, &request);
  call.in_plugin_start = false;
  if (call.has_early_result) {
    // The plugin completed inside call_start (an immediate error). Deliver
    // from a fresh stack, as the ABI promises the caller.
    boost::asio::post(loop_.io(), [this, c = &call, generation = call.generation] {
      if (c->generation == generation) deliver_early(*c);  // else cancelled meanwhile
    });
  }
  return &call;
}

void CallEngine::deliver_early(Call &call) {
  lh_response response{};
  response.size = sizeof(response);
  response.status = call.early_status;
  response.error = call.early_error_set ? to_lh(call.early_error) : kAbsent;
  response.flags = call.early_flags;
  finish(call, response);
}

void CallEngine::complete(Call &call, const lh_response &response) {
  if (call.in_plugin_start) {
    call.has_early_result = true;
    call.early_status = response.status;
    call.early_flags = flags_of(response);
    call.early_error_set = response.error.data != nullptr;
    if (call.early_error_set) call.early_error.assign(to_view(response.error));
    call.forwarded = false;
    return;
  }
  finish(call, response);
}

void CallEngine::finish(Call &call, const lh_response &response) {
  uint64_t end_ns = monotonic_ns();
  Session &session = *call.session;
  User &user = *session.user;

  lh_request_event event{};
  event.size = sizeof(event);
  event.type = to_lh(call.type);
  event.name = to_lh(call.name);
  event.start_ns = call.start_ns;
  event.intended_start_ns = call.intended_start_ns;
  // The service time; the stats add the lateness for the corrected figure.
  event.response_time_us = (end_ns - call.start_ns) / 1000;
  event.bytes_sent = response.bytes_sent;
  event.bytes_received = response.bytes_received;
  event.status = response.status;
  event.error = response.error;
  event.user_class = lh_str{user.cls->name, std::char_traits<char>::length(user.cls->name)};

  // A deferred report is the scenario's to make once it has the result
  // (deliver reports it when the scenario will never get it).
  if (!(call.flags & LH_REQUEST_DEFER_REPORT)) loop_.report(event);

  uint64_t pause = connect_pause(user, response);
  if (pause > 0 && user.state != UserState::killed && call.done) {
    hold_back(call, response, event, pause);
    return;
  }
  deliver(call, response, event);
}

uint64_t CallEngine::connect_pause(User &user, const lh_response &response) {
  if (!(flags_of(response) & LH_RESPONSE_NOT_CONNECTED) || !response.error.data) {
    user.connects_failed_in_a_row = 0;
    return 0;
  }
  if (user.connects_failed_in_a_row < UINT32_MAX) ++user.connects_failed_in_a_row;
  return loop_.engine().config().connect_backoff ? connect_pause_ns(user.connects_failed_in_a_row) : 0;
}

void CallEngine::hold_back(Call &call, const lh_response &response, const lh_request_event &event,
                           uint64_t pause_ns) {
  // Reported already; the user's coroutine waits. The plugin is done with
  // it, and no timeout applies any more.
  CallTimeouts::remove(call);
  call.forwarded = false;
  call.pacing = true;
  call.early_status = response.status;
  call.early_flags = flags_of(response);
  if (response.error.data != call.early_error.data()) call.early_error.assign(to_view(response.error));
  call.paced_event = event;
  if (!call.pace_timer) call.pace_timer = std::make_unique<boost::asio::steady_timer>(loop_.io());
  call.pace_timer->expires_after(std::chrono::nanoseconds(pause_ns));
  call.pace_timer->async_wait([this, c = &call, generation = call.generation](boost::system::error_code ec) {
    if (!ec && c->generation == generation && c->pacing) deliver_paced(*c);
  });
}

void CallEngine::deliver_paced(Call &call) {
  call.pacing = false;
  lh_response response{};
  response.size = sizeof(response);
  response.status = call.early_status;
  response.error = to_lh(call.early_error);
  response.flags = call.early_flags;
  response.bytes_sent = call.paced_event.bytes_sent;
  response.bytes_received = call.paced_event.bytes_received;
  lh_request_event event = call.paced_event;
  event.error = response.error;
  deliver(call, response, event);
}

void CallEngine::end_pacing(User &user) {
  std::vector<Call *> paced;
  for (Session &session : user.sessions)
    for (Call &call : session.calls)
      if (call.pacing) paced.push_back(&call);
  for (Call *call : paced) deliver_paced(*call);  // the user is killed: no done runs
}

void CallEngine::deliver(Call &call, const lh_response &response, const lh_request_event &event) {
  Session &session = *call.session;
  User &user = *session.user;
  --in_flight_;
  --user.in_flight;
  lh_call_done_fn done = call.done;
  void *ud = call.ud;
  bool resume = user.state != UserState::killed;
  // Unlink before the callback: it must see the call as finished.
  CallTimeouts::remove(call);
  call.SessionCallHook::unlink();
  if (!(resume && done) && (call.flags & LH_REQUEST_DEFER_REPORT)) {
    // Nobody will make the deferred report (the user was killed or
    // interrupted). No answer came (a timeout, the stop's interruption):
    // the host counts it. An answer came, but only the scenario could
    // judge it — catch_response exists to call an expected error a success,
    // and reporting the protocol's verdict once made a clean run exit 1 at
    // its stop — so, as Locust drops a catch_response block cut by a stop,
    // it is not counted and the sent count is taken back.
    if (call.ended_by_host) loop_.report(event);
    else loop_.withdraw_sent();
  }
  if (resume && done) {
    RunningUser running(loop_, &user);
    lh_call_result result{};
    result.size = sizeof(result);
    result.response = &response;
    result.event = &event;
    done(ud, &result);
  }
  release(call);
  loop_.users().call_finished(user);
}

void CallEngine::cancel(Call &call) {
  // Sent and not yet reported: the scenario took it back, so it no longer
  // owes the stats a result. (A held-back connect failure was reported.)
  if (call.forwarded || call.has_early_result) loop_.withdraw_sent();
  drop(call);
}

void CallEngine::drop(Call &call) {
  Session &session = *call.session;
  if (call.forwarded) {
    call.forwarded = false;
    session.protocol->call_cancel(session.plugin_session, &call);
  }
  if (!call.parked) {
    --in_flight_;
    --session.user->in_flight;
  }
  release(call);
}

void CallEngine::interrupt_session(Session &session) {
  while (!session.calls.empty()) {
    Call &call = session.calls.front();
    if (call.parked || call.pacing) {  // never sent, or reported already: nothing owed
      drop(call);
      continue;
    }
    if (call.has_early_result) {  // answered inside call_start, delivery still posted
      deliver_early(call);
      continue;
    }
    if (call.forwarded) {
      call.forwarded = false;
      session.protocol->call_cancel(session.plugin_session, &call);
    }
    lh_response response{};
    response.size = sizeof(response);
    response.error = to_lh(kInterrupted);
    call.ended_by_host = true;
    finish(call, response);  // its elapsed time is the response time; unlinks it
  }
  close_session(session);
}

void CallEngine::expire_timeouts(uint64_t now_ns) {
  loop_.timeouts().expire(now_ns, [this](Timed &timed) {
    Call &call = static_cast<Call &>(timed);
    if (call.has_early_result) return;  // already answered, delivery pending
    Session &session = *call.session;
    if (call.forwarded) {
      call.forwarded = false;
      session.protocol->call_cancel(session.plugin_session, &call);
    }
    std::string message = describe_timeout(call.timeout_ns);
    lh_response response{};
    response.size = sizeof(response);
    response.error = to_lh(message);
    call.ended_by_host = true;
    finish(call, response);
  });
}

}  // namespace loadhost::core
