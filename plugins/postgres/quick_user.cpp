#include "quick_user.hpp"

#include <loadhost/loadhost.hpp>

namespace loadhost::postgres {
namespace {

struct PostgresQuickUser : User {
  static constexpr const char *name = "PostgresQuickUser";

  PostgresQuickUser() {
    sql_ = std::string(option("sql"));
    if (sql_.empty()) setup_error_ = "postgres quick mode needs the SQL to run: --sql 'SELECT ...'";
    // Repeated --param values arrive joined with '\n' (options.h).
    std::string_view params = option("param");
    for (int n = 1; !params.empty(); ++n) {
      size_t end = params.find('\n');
      options_.headers.push_back(Header{"$" + std::to_string(n), std::string(params.substr(0, end))});
      params = end == std::string_view::npos ? std::string_view() : params.substr(end + 1);
    }
    options_.discard_body = true;  // counted, not rendered: quick mode measures
    options_.name = sql_;
    prepared_ = option("prepared") == "1";
    // --pool N: the session option pool=N (the plugin checks the value).
    if (std::string_view pool = option("pool"); !pool.empty()) client_.set_option("pool", std::string(pool));
    task(1, &PostgresQuickUser::run);
  }

  Task<> on_start() override {
    // A setup error (no --sql, a bad URL) would fail every call the same
    // way: say it once, as a failed request so the exit code tells, and stop.
    if (setup_error_.empty()) client_.session(setup_error_);
    if (setup_error_.empty() && prepared_) {
      Response r = co_await client_.call("prepare", "loadhost_quick", sql_).name("(prepare)");
      if (!r.ok()) setup_error_ = *r.error();
    }
    if (!setup_error_.empty()) {
      report_request("postgres", sql_.empty() ? "(setup)" : sql_, Duration(0), 0, setup_error_);
      stop_test(setup_error_);
      throw StopUser{};
    }
  }

  Task<> run() {
    if (prepared_) co_await client_.call("execute", "loadhost_quick", {}, options_);
    else co_await client_.call("query", sql_, {}, options_);
  }

  Client client_{"postgres", std::string(option("quick-url"))};
  std::string sql_;
  bool prepared_ = false;
  CallOptions options_;  // --param values; the body is discarded
  std::string setup_error_;
};

}  // namespace

const lh_user_class *quick_user_class(const lh_host *host) {
  attach_host(host);
  return user_class<PostgresQuickUser>();
}

}  // namespace loadhost::postgres
