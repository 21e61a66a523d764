#include "result_text.hpp"

#include <cstdlib>

namespace loadhost::postgres {
namespace {

// Type OIDs (pg_type.h) whose text form is already valid JSON.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kJson = 114, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700, kJsonb = 3802;

// Whether `c` goes into a JSON string as is.
bool is_plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }

void append_json_string(std::string &out, std::string_view s) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    size_t plain = i;
    while (plain < s.size() && is_plain(static_cast<unsigned char>(s[plain]))) ++plain;
    out.append(s.data() + i, plain - i);  // the run of plain characters at once
    if (plain == s.size()) break;
    const auto c = static_cast<unsigned char>(s[plain]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(escaped, sizeof escaped);
      }
    }
    i = plain + 1;
  }
  out += '"';
}

// Numbers as numbers, except NaN and Infinity, which JSON has not.
bool is_json_number(std::string_view s) {
  return !s.empty() && (s[0] == '-' ? s.size() > 1 && s[1] >= '0' && s[1] <= '9' : s[0] >= '0' && s[0] <= '9');
}

void append_value(std::string &out, Oid type, std::string_view text) {
  switch (type) {
    case kBool: out += text == "t" ? "true" : "false"; return;
    case kInt2: case kInt4: case kInt8: case kOid: case kFloat4: case kFloat8: case kNumeric:
      if (is_json_number(text)) {
        out += text;
        return;
      }
      break;
    case kJson: case kJsonb: out += text; return;
    default: break;
  }
  append_json_string(out, text);
}

}  // namespace

void ResultCollector::add(const PGresult *result) {
  switch (PQresultStatus(result)) {
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE: {
      const int n = PQntuples(result), columns = PQnfields(result);
      rows_ += n;
      for (int r = 0; r < n; ++r)
        for (int c = 0; c < columns; ++c) bytes_ += uint64_t(PQgetlength(result, r, c));
      if (render_body_ && n > 0) render_rows(result);
      return;
    }
    case PGRES_COMMAND_OK: {
      const char *affected = PQcmdTuples(const_cast<PGresult *>(result));
      if (affected && *affected) rows_ += std::strtoll(affected, nullptr, 10);
      return;
    }
    case PGRES_EMPTY_QUERY:
      return;
    default:
      if (!error_) error_ = error_text(result);
      return;
  }
}

void ResultCollector::render_rows(const PGresult *result) {
  const int n = PQntuples(result), columns = PQnfields(result);
  // One array over all results: "[...]" becomes "[...," and goes on.
  if (body_.empty()) body_ += '[';
  else body_.back() = ',';
  for (int r = 0; r < n; ++r) {
    if (r) body_ += ',';
    body_ += '{';
    for (int c = 0; c < columns; ++c) {
      if (c) body_ += ',';
      append_json_string(body_, PQfname(result, c));
      body_ += ':';
      if (PQgetisnull(result, r, c)) body_ += "null";
      else append_value(body_, PQftype(result, c), std::string_view(PQgetvalue(result, r, c), size_t(PQgetlength(result, r, c))));
    }
    body_ += '}';
  }
  body_ += ']';
}

std::string error_text(const PGresult *result) {
  const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char *message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  if (state && message) return std::string(state) + ": " + message;
  std::string text = one_line(PQresultErrorMessage(result));
  return text.empty() ? std::string("postgres: ") + PQresStatus(PQresultStatus(result)) : text;
}

std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  for (std::string_view prefix : {"ERROR: ", "FATAL: "})
    if (out.starts_with(prefix)) out.erase(0, prefix.size());
  return out;
}

}  // namespace loadhost::postgres
