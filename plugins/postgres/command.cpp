#include "command.hpp"

#include <string_view>

#include "loadhost/kit/str.hpp"
#include "loadhost/kit/text.hpp"

namespace loadhost::postgres {
namespace {

using kit::view;

using kit::iequals;

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

  if (iequals(op, "query")) {
    c.sql.assign(body.empty() ? target : body);
    if (c.sql.empty()) {
      error = "postgres: query needs its SQL in the target or the body";
      return false;
    }
  } else if (iequals(op, "prepare")) {
    c.kind = Command::Kind::prepare;
    c.statement.assign(target);
    c.sql.assign(body);
    if (c.statement.empty() || c.sql.empty()) {
      error = "postgres: prepare needs the statement name as target and its SQL as body";
      return false;
    }
  } else if (iequals(op, "execute")) {
    c.kind = Command::Kind::execute;
    c.statement.assign(target);
    if (c.statement.empty()) {
      error = "postgres: execute needs the name of a prepared statement as target";
      return false;
    }
  } else if (iequals(op, "begin") || iequals(op, "commit") ||
             iequals(op, "rollback")) {
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
