#include "quick_user.hpp"

#include <loadhost/kit/quick_user.hpp>
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
    kit::check_quick_setup(*this, client_, setup_error_, "postgres", sql_);
    if (prepared_) {
      Response r = co_await client_.call("prepare", "loadhost_quick", sql_).name("(prepare)");
      if (!r.ok()) kit::fail_quick_setup(*this, "postgres", sql_, *r.error());
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
  return kit::quick_user_class<PostgresQuickUser>(host);
}

}  // namespace loadhost::postgres
