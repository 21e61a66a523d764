// What one request asks of PostgreSQL, read from the generic lh_request:
//
//   operation  target            body   metadata (values, in order)
//   query      SQL (or in body)  SQL    $1..$n as text
//   prepare    statement name    SQL    -
//   execute    statement name    -      $1..$n as text
//   begin / commit / rollback    -      -
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loadhost/call.h"

namespace loadhost::postgres {

struct Command {
  enum class Kind { query, prepare, execute };
  Kind kind = Kind::query;
  std::string sql;                  // query, prepare
  std::string statement;            // prepare, execute: the statement's name
  std::vector<std::string> params;  // query, execute: $1..$n, text format
  bool discard_body = false;        // LH_REQUEST_DISCARD_BODY: count, do not render

  // Bytes this command puts on the wire, roughly: SQL or name plus params.
  uint64_t bytes_sent() const;
};

// Reads `request` into `out`, reusing its strings' memory (a session parses
// every call into a recycled Command); false with a one-line reason in
// `error` ("postgres: unknown operation 'GET' ...").
bool parse_command(const lh_request &request, Command &out, std::string &error);

// The command of `request`, or nullopt with the reason in `error`.
std::optional<Command> parse_command(const lh_request &request, std::string &error);

}  // namespace loadhost::postgres
