#include "session.hpp"

namespace loadhost::postgres {
namespace {

lh_str str(std::string_view s) { return lh_str{s.data(), s.size()}; }

}  // namespace

std::unique_ptr<Session> Session::create(const lh_host &host, const lh_session_config &config, std::string &error) {
  const auto *fd_watch = static_cast<const lh_host_fd_watch *>(host.get_extension(&host, LH_HOST_FD_WATCH_ID));
  if (!fd_watch) {
    error = "postgres: this host does not offer " LH_HOST_FD_WATCH_ID;
    return nullptr;
  }
  std::string conninfo(config.base_url.data ? std::string_view(config.base_url.data, config.base_url.size)
                                            : std::string_view());
  if (conninfo.empty()) {
    error = "postgres: no database URL: give one as the host (-H postgresql://user@127.0.0.1:5432/db)";
    return nullptr;
  }
  // Reject a malformed URI now, once, rather than on every call.
  char *parse_error = nullptr;
  PQconninfoOption *parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (!parsed) {
    error = "postgres: bad connection URL '" + conninfo + "': " +
            one_line(parse_error ? parse_error : "out of memory");
    PQfreemem(parse_error);
    return nullptr;
  }
  PQconninfoFree(parsed);
  return std::make_unique<Session>(host, *fd_watch, config.loop, std::move(conninfo));
}

Session::Session(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, std::string conninfo)
    : host_(host), connection_(host, fd_watch, loop, std::move(conninfo), *this) {}

void Session::start(lh_call *call, const lh_request &request) {
  std::string error;
  std::optional<Command> command = parse_command(request, error);
  if (!command) {
    complete(call, error, nullptr, 0);
    return;
  }
  queue_.push_back(Pending{call, std::move(*command)});
  pump();
}

void Session::abort(lh_call *call, std::string_view error) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it)
    if (it->call == call) {
      if (it->sent) connection_.close();
      queue_.erase(it);
      break;
    }
  complete(call, std::string(error), nullptr, 0);
}

void Session::cancel(lh_call *call) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->call != call) continue;
    if (it->sent) {
      connection_.close();
      results_.reset();
      preparing_for_execute_ = false;
    }
    queue_.erase(it);
    pump();
    return;
  }
}

void Session::pump() {
  if (queue_.empty() || queue_.front().sent) return;
  switch (connection_.state()) {
    case Connection::State::closed: connection_.connect(); return;
    case Connection::State::ready: send(queue_.front()); return;
    default: return;  // connecting, or (cannot be) busy: on_connected / on_command_done come back here
  }
}

void Session::send(Pending &head) {
  head.sent = true;
  results_.emplace(!head.command.discard_body);
  const Command &c = head.command;
  switch (c.kind) {
    case Command::Kind::query: connection_.send_query(c.sql, c.params); return;
    case Command::Kind::prepare: connection_.send_prepare(c.statement, c.sql); return;
    case Command::Kind::execute:
      if (!connection_.has_prepared(c.statement) && statements_.contains(c.statement)) {
        // A new connection since the statement was prepared: prepare it again.
        preparing_for_execute_ = true;
        connection_.send_prepare(c.statement, statements_.at(c.statement));
        return;
      }
      connection_.send_execute(c.statement, c.params);
      return;
  }
}

void Session::on_connected() { pump(); }

void Session::on_result(const PGresult *result) {
  if (results_) results_->add(result);
}

void Session::on_command_done() {
  if (queue_.empty() || !results_) return;
  Pending &head = queue_.front();
  if (preparing_for_execute_) {
    preparing_for_execute_ = false;
    if (!results_->error()) {
      connection_.note_prepared(head.command.statement);
      results_.emplace(!head.command.discard_body);
      connection_.send_execute(head.command.statement, head.command.params);
      return;
    }
  } else if (head.command.kind == Command::Kind::prepare && !results_->error()) {
    connection_.note_prepared(head.command.statement);
    statements_[head.command.statement] = head.command.sql;
  }
  Pending done = std::move(head);
  queue_.pop_front();
  ResultCollector results = std::move(*results_);
  results_.reset();
  complete(done.call, results.error(), &results, done.command.bytes_sent());
  pump();
}

void Session::on_failed(bool connected, std::string_view why) {
  results_.reset();
  preparing_for_execute_ = false;
  if (connected) {
    // Only the call on the wire is lost; the queued ones get a new connection.
    if (!queue_.empty() && queue_.front().sent) {
      lh_call *call = queue_.front().call;
      queue_.pop_front();
      complete(call, std::string(why), nullptr, 0);
    }
    pump();
    return;
  }
  // Connecting failed: every queued call would wait for the same server.
  std::deque<Pending> failed = std::move(queue_);
  queue_.clear();
  for (Pending &p : failed) complete(p.call, std::string(why), nullptr, 0);
}

void Session::complete(lh_call *call, const std::optional<std::string> &error, const ResultCollector *results,
                       uint64_t bytes_sent) {
  lh_response response{};
  response.size = sizeof(response);
  std::string body;
  if (results) {
    response.status = results->rows();
    response.bytes_received = results->bytes();
    body = results->body();
    response.body = str(body);
  }
  if (error) response.error = str(*error);
  response.bytes_sent = bytes_sent;
  host_.call_complete(call, &response);
}

}  // namespace loadhost::postgres
