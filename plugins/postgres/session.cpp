#include "session.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "loadhost/kit/str.hpp"
#include "loadhost/kit/url.hpp"
#include "resolved_conninfo.hpp"

namespace loadhost::postgres {

namespace {

// The first entry of libpq's port list ("5432" or "5432,5433" for several
// hosts) that is not a port number, or empty. libpq takes any text here and
// fails only when it connects, which would fail every call forever.
std::string_view bad_port(std::string_view ports) {
  while (true) {
    std::string_view port = ports.substr(0, ports.find(','));
    uint16_t value = 0;
    if (!port.empty() && !kit::parse_port(port, value)) return port;
    if (port.size() == ports.size()) return {};
    ports.remove_prefix(port.size() + 1);
  }
}

}  // namespace

std::unique_ptr<Session> Session::create(const lh_host &host, const lh_session_config &config, std::string &error) {
  const auto *fd_watch = static_cast<const lh_host_fd_watch *>(host.get_extension(&host, LH_HOST_FD_WATCH_ID));
  if (!fd_watch) {
    error = "postgres: this host does not offer " LH_HOST_FD_WATCH_ID;
    return nullptr;
  }
  std::string conninfo(kit::view(config.base_url));
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
  for (const PQconninfoOption *o = parsed; o->keyword; ++o) {
    if (std::string_view(o->keyword) != "port" || !o->val) continue;
    if (std::string_view port = bad_port(o->val); !port.empty()) {
      error = "postgres: bad connection URL '" + conninfo + "': port '" + std::string(port) +
              "' is not a number from 1 to 65535";
      PQconninfoFree(parsed);
      return nullptr;
    }
  }
  PQconninfoFree(parsed);
  conninfo = with_resolved_hostaddr(conninfo);
  uint32_t pool_size = 0;
  for (size_t i = 0; i < config.option_count; ++i) {
    const lh_kv &kv = config.options[i];
    if (kit::view(kv.key) != "pool") continue;
    if (!parse_pool_size(kit::view(kv.value), pool_size, error))
      return nullptr;
  }
  return std::make_unique<Session>(host, *fd_watch, config.loop, std::move(conninfo), pool_size);
}

Session::Session(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, std::string conninfo,
                 uint32_t pool_size)
    : host_(host) {
  if (pool_size > 0) pooled_ = std::make_unique<PooledSession>(host, fd_watch, loop, conninfo, pool_size);
  else connection_.emplace(host, fd_watch, loop, std::move(conninfo), static_cast<Connection::Listener &>(*this));
}

void Session::start(lh_call *call, const lh_request &request) {
  if (pooled_) {
    pooled_->start(call, request);
    return;
  }
  if (queue_.admit(host_, call, request)) pump();
}

void Session::abort(lh_call *call, std::string_view error) {
  if (pooled_) {
    pooled_->abort(call, error);
    return;
  }
  for (size_t i = 0; i < queue_.size(); ++i)
    if (queue_[i].call == call) {
      if (queue_[i].sent) {
        connection_->close();
        collecting_ = false;
        preparing_for_execute_ = false;
      }
      queue_.erase(i);
      break;
    }
  complete_call(host_, call, std::string(error), nullptr, 0);
}

void Session::cancel(lh_call *call) {
  if (pooled_) {
    pooled_->cancel(call);
    return;
  }
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (queue_[i].call != call) continue;
    if (queue_[i].sent) {
      connection_->close();
      collecting_ = false;
      preparing_for_execute_ = false;
    }
    queue_.erase(i);
    pump();
    return;
  }
}

void Session::pump() {
  if (queue_.empty() || queue_.front().sent) return;
  switch (connection_->state()) {
    case Connection::State::closed: connection_->connect(); return;
    case Connection::State::ready: send(queue_.front()); return;
    default: return;  // connecting, or (cannot be) busy: on_connected / on_command_done come back here
  }
}

void Session::send(Pending &head) {
  head.sent = true;
  results_.reset(!head.command.discard_body);
  collecting_ = true;
  const Command &c = head.command;
  switch (c.kind) {
    case Command::Kind::query: connection_->send_query(c.sql, c.params); return;
    case Command::Kind::prepare: connection_->send_prepare(c.statement, c.sql); return;
    case Command::Kind::execute:
      if (!connection_->has_prepared(c.statement)) {
        auto known = statements_.find(c.statement);
        if (known != statements_.end()) {
          // A new connection since the statement was prepared: prepare it again.
          preparing_for_execute_ = true;
          connection_->send_prepare(c.statement, known->second);
          return;
        }
      }
      connection_->send_execute(c.statement, c.params);
      return;
  }
}

void Session::on_connected() { pump(); }

void Session::on_result(const PGresult *result) {
  if (collecting_) results_.add(result);
}

void Session::on_command_done() {
  if (queue_.empty() || !collecting_) return;
  Pending &head = queue_.front();
  if (preparing_for_execute_) {
    preparing_for_execute_ = false;
    if (!results_.error()) {
      connection_->note_prepared(head.command.statement);
      results_.reset(!head.command.discard_body);
      connection_->send_execute(head.command.statement, head.command.params);
      return;
    }
  } else if (head.command.kind == Command::Kind::prepare && !results_.error()) {
    connection_->note_prepared(head.command.statement);
    statements_[head.command.statement] = head.command.sql;
  }
  // The slot stays as it is until a later push_back reuses it; nothing
  // re-enters the session from call_complete (the SDK resumes the user from
  // a posted task).
  lh_call *call = head.call;
  const uint64_t bytes_sent = head.command.bytes_sent();
  queue_.pop_front();
  collecting_ = false;
  complete_call(host_, call, results_.error(), &results_, bytes_sent);
  pump();
}

void Session::on_failed(bool connected, std::string_view why) {
  collecting_ = false;
  preparing_for_execute_ = false;
  if (connected) {
    // Only the call on the wire is lost; the queued ones get a new connection.
    if (!queue_.empty() && queue_.front().sent) {
      lh_call *call = queue_.front().call;
      queue_.pop_front();
      complete_call(host_, call, std::string(why), nullptr, 0);
    }
    pump();
    return;
  }
  // Connecting failed: every queued call would wait for the same server.
  std::vector<lh_call *> failed;
  while (!queue_.empty()) {
    failed.push_back(queue_.front().call);
    queue_.pop_front();
  }
  for (lh_call *call : failed) complete_call(host_, call, std::string(why), nullptr, 0, LH_RESPONSE_NOT_CONNECTED);
}

}  // namespace loadhost::postgres
