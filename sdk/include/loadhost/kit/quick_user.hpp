// loadhost plugin kit — the scaffold of a plugin's quick-mode user.
//
// Quick mode (`loadhost --plugin grpc --call pkg.Svc/M grpc://h:50051`) runs
// one user class the plugin supplies (lh_plugin_options.quick_user), written
// with the C++ user SDK like any scenario. Every such user does the same
// three things around its one task, and these helpers do them once:
//   - read its flags in the constructor, keeping the first error;
//   - in on_start, open the session (a bad URL fails there) and, on any
//     setup error, say it ONCE as a failed request (so the exit code tells),
//     stop the test and end the user, instead of failing every call alike;
//   - hand the class to the host from the plugin's options table.
//
//   struct PingQuickUser : loadhost::User {
//     static constexpr const char *name = "PingQuickUser";
//     PingQuickUser() { task(1, &PingQuickUser::ping); }
//     loadhost::Task<> on_start() override {
//       loadhost::kit::check_quick_setup(*this, client_, setup_error_, "ping", target_);
//       co_return;
//     }
//     ...
//   };
//   const lh_user_class *quick_user_class(const lh_host *host) {
//     return loadhost::kit::quick_user_class<PingQuickUser>(host);
//   }
//
// Unlike the rest of the kit this header needs C++20 (the user SDK's
// coroutines); a C++17 plugin builds its quick user as a C++20 library of its
// own, as the websocket plugin does.
#pragma once

#include <string>
#include <string_view>

#include "loadhost/loadhost.hpp"

namespace loadhost {
namespace kit {

// [loop-thread, in a user] Reports `error` once as a failed request of
// `type` named `name` ("(setup)" when empty), stops the test with it and ends
// this user (throws StopUser, which the SDK catches).
[[noreturn]] inline void fail_quick_setup(UserBase &user, std::string_view type, std::string_view name,
                                          std::string_view error) {
  user.report_request(type, name.empty() ? std::string_view("(setup)") : name, Duration(0), 0, error);
  stop_test(error);
  throw StopUser{};
}

// [loop-thread, in on_start] When the constructor found no error, opens
// `client`'s session (its base URL and options are checked there), then fails
// the setup as fail_quick_setup does if anything went wrong.
template <class ClientType>
void check_quick_setup(UserBase &user, ClientType &client, std::string &setup_error, std::string_view type,
                       std::string_view name) {
  if (setup_error.empty()) client.session(setup_error);
  if (!setup_error.empty()) fail_quick_setup(user, type, name, setup_error);
}

// [control-thread, plugin init] Attaches the SDK to `host` and returns the
// quick user's class, valid until the plugin's deinit.
template <class QuickUser>
const lh_user_class *quick_user_class(const lh_host *host) {
  attach_host(host);
  return user_class<QuickUser>();
}

}  // namespace kit
}  // namespace loadhost
