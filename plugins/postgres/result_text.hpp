// What a call answers: the results libpq returned for one command, folded
// into the generic response — rows as status, the rows as compact JSON as
// body, the bytes of the result data, and an SQL error as "SQLSTATE: message".
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::postgres {

// Folds the PGresults of one command (a multi-statement query gives several).
class ResultCollector {
 public:
  // With render_body false (LH_REQUEST_DISCARD_BODY) rows are counted and
  // measured, not rendered.
  explicit ResultCollector(bool render_body = true) : render_body_(render_body) {}

  // Empty again, for the next command; keeps the body's memory.
  void reset(bool render_body) {
    render_body_ = render_body;
    rows_ = 0;
    body_.clear();
    bytes_ = 0;
    error_.reset();
  }

  // Reads `result` (borrowed: the caller PQclears it).
  void add(const PGresult *result);

  // Rows returned (SELECT, RETURNING) plus rows affected (INSERT, UPDATE,
  // DELETE) over all results.
  int64_t rows() const { return rows_; }
  // '[{"id":1,"name":"x"},...]': every result's rows in one array; numbers,
  // booleans and json stay unquoted, NULL is null. Empty when not rendered
  // or no result had rows. Valid until the next add or reset.
  std::string_view body() const { return body_; }
  // Bytes of the result values (libpq's PQgetlength over every cell).
  uint64_t bytes() const { return bytes_; }
  // The first error ("42P01: relation \"nope\" does not exist"), if any.
  const std::optional<std::string> &error() const { return error_; }

 private:
  void render_rows(const PGresult *result);

  bool render_body_;
  int64_t rows_ = 0;
  std::string body_;  // "[...]" once a result had rows
  uint64_t bytes_ = 0;
  std::optional<std::string> error_;
};

// "SQLSTATE: primary message" of an error result (or libpq's own text when
// the server sent no SQLSTATE).
std::string error_text(const PGresult *result);

// `text` on one line: runs of whitespace (libpq's "\n\t" hints) become one
// space, the ends are trimmed, a leading "ERROR:  "/"FATAL:  " is dropped.
std::string one_line(std::string_view text);

}  // namespace loadhost::postgres
