#include "command.hpp"

#include <string_view>

namespace loadhost::postgres {
namespace {

std::string_view view(lh_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

}  // namespace

uint64_t Command::bytes_sent() const {
  uint64_t n = sql.size() + statement.size();
  for (const auto &p : params) n += p.size();
  return n;
}

bool parse_command(const lh_request &request, Command &c, std::string &error) {
  const std::string_view op = view(request.operation);
  const std::string_view target = view(request.target);
  const std::string_view body = view(request.body);
  c.kind = Command::Kind::query;
  c.sql.clear();
  c.statement.clear();
  c.discard_body = (request.flags & LH_REQUEST_DISCARD_BODY) != 0;
  c.params.resize(request.metadata_count);
  for (size_t i = 0; i < request.metadata_count; ++i) c.params[i].assign(view(request.metadata[i].value));

  if (equals_ignoring_case(op, "query")) {
    c.sql.assign(body.empty() ? target : body);
    if (c.sql.empty()) {
      error = "postgres: query needs its SQL in the target or the body";
      return false;
    }
  } else if (equals_ignoring_case(op, "prepare")) {
    c.kind = Command::Kind::prepare;
    c.statement.assign(target);
    c.sql.assign(body);
    if (c.statement.empty() || c.sql.empty()) {
      error = "postgres: prepare needs the statement name as target and its SQL as body";
      return false;
    }
  } else if (equals_ignoring_case(op, "execute")) {
    c.kind = Command::Kind::execute;
    c.statement.assign(target);
    if (c.statement.empty()) {
      error = "postgres: execute needs the name of a prepared statement as target";
      return false;
    }
  } else if (equals_ignoring_case(op, "begin") || equals_ignoring_case(op, "commit") ||
             equals_ignoring_case(op, "rollback")) {
    c.sql.assign(op);
    c.params.clear();
  } else {
    error = "postgres: unknown operation '" + std::string(op) +
            "' (use query, prepare, execute, begin, commit or rollback)";
    return false;
  }
  return true;
}

std::optional<Command> parse_command(const lh_request &request, std::string &error) {
  Command c;
  if (!parse_command(request, c, error)) return std::nullopt;
  return c;
}

}  // namespace loadhost::postgres
