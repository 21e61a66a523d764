// The postgres plugin's entry: its descriptor, its quick-mode options and how
// a session is made. The C glue around it is the SDK's
// (loadhost/protocol_plugin.hpp).
#include <memory>
#include <string>

#include "loadhost/fd_watch.h"
#include "loadhost/protocol_plugin.hpp"
#include "quick_user.hpp"
#include "session.hpp"

namespace {

const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "sql", nullptr, "SQL", "Quick mode: the SQL each user runs in a loop", nullptr, 0},
    {sizeof(lh_option_spec), "param", nullptr, "VALUE", "Quick mode: the value of the next $n in --sql (repeatable)",
     nullptr, LH_OPTION_REPEATABLE},
    {sizeof(lh_option_spec), "prepared", nullptr, nullptr,
     "Quick mode: prepare --sql once per user, then execute it (else: a plain query each time)", nullptr,
     LH_OPTION_FLAG},
    {sizeof(lh_option_spec), "pool", nullptr, "N",
     "The users of a loop thread that name the same URL share N connections (default: one per user)", nullptr, 0},
};

lh_plugin_options g_options = {sizeof(lh_plugin_options), sizeof kOptions / sizeof kOptions[0], kOptions, nullptr};

struct PostgresPlugin : loadhost::plugin::Defaults {
  static constexpr lh_descriptor descriptor = {
      sizeof(lh_descriptor),
      "postgres",
      "PostgreSQL",
      "loadhost",
      "0.1.0",
      "PostgreSQL through libpq's non-blocking API: queries, prepared statements, transactions; a connection per "
      "user, or a pool per loop",
      "postgres,postgresql",
  };
  using Session = loadhost::postgres::Session;

  static const char *init(const lh_host &host) {
    if (!host.get_extension(&host, LH_HOST_FD_WATCH_ID))
      return "postgres: the host does not offer " LH_HOST_FD_WATCH_ID ", which the plugin needs";
    g_options.quick_user = loadhost::postgres::quick_user_class(&host);
    return nullptr;
  }
  static std::unique_ptr<Session> create_session(const lh_host &host, const lh_session_config &config,
                                                 std::string &error) {
    return Session::create(host, config, error);
  }
  static void fail_call(Session &s, lh_call *call, const char *text) noexcept {
    try {
      s.abort(call, text);
    } catch (...) {
    }
  }
  static const lh_plugin_options *options() { return &g_options; }
};

}  // namespace

LOADHOST_PROTOCOL_PLUGIN(PostgresPlugin);
