#include "response_parser.hpp"

#include <algorithm>
#include <cstring>

#include "http_common/http_text.hpp"

namespace loadhost::http1 {

using namespace http_common;  // tokens, case-insensitive compares, views

namespace {

constexpr size_t kMaxChunkLineExtra = 4096;  // extensions after a chunk size
constexpr std::string_view kHttpPrefix = "HTTP/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Content-Length: 1*DIGIT, bounded so the value cannot overflow.
bool parse_length(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + uint64_t(c - '0');
  }
  out = v;
  return true;
}

std::string_view take_line(std::string_view& text) {
  const size_t eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

void ResponseParser::reset(bool head_request, bool keep_body) {
  state_ = State::head;
  head_request_ = head_request;
  keep_body_ = keep_body;
  started_ = false;
  keep_alive_ = true;
  status_ = 0;
  version_minor_ = 1;
  reason_ = {};
  head_.clear();
  trailers_.clear();
  line_len_ = 0;
  skipped_ = 0;
  fields_.clear();
  body_.clear();
  body_size_ = 0;
  remaining_ = 0;
  chunk_size_ = 0;
  chunk_digits_ = 0;
  chunk_ext_len_ = 0;
  error_ = "";
  chunked_ = has_length_ = has_transfer_encoding_ = false;
  content_length_ = 0;
}

ResponseParser::Result ResponseParser::fail(const char* reason) {
  state_ = State::error;
  error_ = reason;
  return Result::error;
}

lh_str ResponseParser::field(std::string_view name) const {
  for (const lh_kv& kv : fields_)
    if (iequals({kv.key.data, kv.key.size}, name)) return kv.value;
  return {nullptr, 0};
}

bool ResponseParser::collect_section(std::string& buf, std::string_view in, size_t& pos) {
  // Finds the blank line without copying line by line: scan with memchr,
  // then append everything scanned in one go.
  const size_t start = pos;
  bool done = false;
  while (pos < in.size()) {
    const void* nl = std::memchr(in.data() + pos, '\n', in.size() - pos);
    if (nl == nullptr) {
      line_len_ += in.size() - pos;
      pos = in.size();
      break;
    }
    const size_t end = size_t(static_cast<const char*>(nl) - in.data()) + 1;
    const size_t line = line_len_ + (end - pos) - 1;  // bytes before the '\n'
    // The byte before '\n' may have arrived in an earlier piece.
    const char before = end - 1 > start ? in[end - 2] : (buf.empty() ? '\0' : buf.back());
    pos = end;
    line_len_ = 0;
    if (line == 0 || (line == 1 && before == '\r')) {
      done = true;
      break;
    }
  }
  if (buf.size() + (pos - start) > kMaxHeaderBytes) {
    fail("malformed response: header section larger than 65536 bytes");
    return false;
  }
  buf.append(in.data() + start, pos - start);
  return done;
}

bool ResponseParser::parse_head() {
  std::string_view rest = head_;
  std::string_view line = take_line(rest);

  // HTTP-version SP 3DIGIT [SP reason-phrase]; a missing reason is tolerated.
  if (line.size() < 12 || !line.starts_with(kHttpPrefix) || !is_digit(line[5]) ||
      line[6] != '.' || !is_digit(line[7]) || line[8] != ' ' || !is_digit(line[9]) ||
      !is_digit(line[10]) || !is_digit(line[11]) || (line.size() > 12 && line[12] != ' ')) {
    fail("malformed response: invalid status line");
    return false;
  }
  if (line[5] != '1') {
    fail("malformed response: unsupported HTTP version (expected HTTP/1.x)");
    return false;
  }
  version_minor_ = line[7] - '0';
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status_ < 100 || status_ > 599) {
    fail("malformed response: invalid status code");
    return false;
  }
  reason_ = line.size() > 12 ? trim_ows(line.substr(13)) : std::string_view{};

  chunked_ = has_length_ = has_transfer_encoding_ = false;
  content_length_ = 0;
  if (!parse_fields(rest, false)) return false;

  if (status_ < 200) {
    if (status_ == 101) {
      // We never ask to switch protocols; the connection is no longer HTTP.
      keep_alive_ = false;
      state_ = State::complete;
      return true;
    }
    // An interim response (100 Continue, 103 Early Hints): drop it and read
    // the final one that follows.
    head_.clear();
    fields_.clear();
    status_ = 0;
    reason_ = {};
    state_ = State::head;
    return true;
  }
  if (head_request_ || status_ == 204 || status_ == 304) {
    state_ = State::complete;
  } else if (has_transfer_encoding_) {
    if (chunked_) {
      // Both framings present smells of request smuggling; do not reuse.
      if (has_length_) keep_alive_ = false;
      state_ = State::chunk_size;
    } else {
      keep_alive_ = false;
      state_ = State::until_close;
    }
  } else if (has_length_) {
    remaining_ = content_length_;
    state_ = remaining_ == 0 ? State::complete : State::length_body;
  } else {
    keep_alive_ = false;
    state_ = State::until_close;
  }
  return true;
}

bool ResponseParser::parse_fields(std::string_view lines, bool trailers) {
  bool close = false, keep_alive_token = false;
  while (!lines.empty()) {
    // One pass per line: the name's bytes are checked as they are scanned,
    // and one memchr finds the end of the value.
    size_t colon = 0;
    while (colon < lines.size() && is_token_char(lines[colon])) ++colon;
    if (colon == 0) {
      if (lines.starts_with("\r\n") || lines.front() == '\n') break;  // the blank line: done
      fail(lines.front() == ' ' || lines.front() == '\t'
               ? "malformed response: folded header line (obsolete line folding)"
               : "malformed response: invalid header line");
      return false;
    }
    if (colon == lines.size() || lines[colon] != ':') {
      fail("malformed response: invalid header line");
      return false;
    }
    const std::string_view name = lines.substr(0, colon);
    const char* start = lines.data() + colon + 1;
    const void* nl = std::memchr(start, '\n', lines.size() - colon - 1);
    const char* end = nl ? static_cast<const char*>(nl) : lines.data() + lines.size();
    lines.remove_prefix(size_t(end - lines.data()) + (nl ? 1 : 0));
    std::string_view value(start, size_t(end - start));
    if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
    value = trim_ows(value);
    fields_.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
    if (trailers) continue;  // trailers never change the framing

    if (iequals(name, "content-length")) {
      uint64_t length = 0;
      if (!parse_length(value, length)) {
        fail("malformed response: invalid Content-Length");
        return false;
      }
      if (has_length_ && length != content_length_) {
        fail("malformed response: conflicting Content-Length headers");
        return false;
      }
      has_length_ = true;
      content_length_ = length;
    } else if (iequals(name, "transfer-encoding")) {
      // Only the last coding decides whether the body is chunked.
      has_transfer_encoding_ = true;
      chunked_ = false;
      for_each_token(value, [&](std::string_view t) { chunked_ = iequals(t, "chunked"); });
    } else if (iequals(name, "connection")) {
      for_each_token(value, [&](std::string_view t) {
        if (iequals(t, "close")) close = true;
        if (iequals(t, "keep-alive")) keep_alive_token = true;
      });
    }
  }
  if (!trailers) keep_alive_ = !close && (version_minor_ >= 1 || keep_alive_token);
  return true;
}

void ResponseParser::on_chunk_size_line() {
  if (chunk_size_ == 0) {
    state_ = State::trailers;
    line_len_ = 0;
  } else {
    remaining_ = chunk_size_;
    state_ = State::chunk_data;
  }
  chunk_size_ = 0;
  chunk_digits_ = 0;
}

void ResponseParser::take_body(std::string_view in, size_t& pos, uint64_t& remaining) {
  const size_t n = size_t(std::min<uint64_t>(remaining, in.size() - pos));
  if (keep_body_) body_.append(in.data() + pos, n);
  body_size_ += n;
  pos += n;
  remaining -= n;
}

ResponseParser::Result ResponseParser::feed(std::string_view in, size_t* consumed) {
  size_t pos = 0;
  if (!in.empty() && state_ != State::complete && state_ != State::error) started_ = true;
  Result result = Result::need_more;
  for (bool more = true; more;) {
    switch (state_) {
      case State::head: {
        if (!collect_section(head_, in, pos)) {
          if (state_ == State::error) {
            result = Result::error;
          } else if (size_t first = head_.find_first_not_of("\r\n"); first != std::string::npos) {
            // Say "not HTTP" as soon as the first bytes show it, instead of
            // waiting for 64 KiB, the close or the timeout. Stray CRs and LFs
            // before it do not hide it ("\rSSH-2.0-..." once waited 60 s).
            const std::string_view status = std::string_view(head_).substr(first);
            const size_t n = std::min(status.size(), kHttpPrefix.size());
            if (status.substr(0, n) != kHttpPrefix.substr(0, n))
              result = fail("malformed response: invalid status line");
          }
          more = false;
          break;
        }
        if (head_.size() <= 2) {  // a stray blank line before the status line
          skipped_ += head_.size();
          head_.clear();
          if (skipped_ > kMaxHeaderBytes) {
            result = fail("malformed response: invalid status line");
            more = false;
          }
          break;
        }
        if (!parse_head()) {
          result = Result::error;
          more = false;
        }
        break;
      }
      case State::length_body:
        take_body(in, pos, remaining_);
        if (remaining_ == 0)
          state_ = State::complete;
        else
          more = false;
        break;
      case State::chunk_size: {
        if (pos == in.size()) {
          more = false;
          break;
        }
        const char c = in[pos];
        const int v = hex_value(c);
        if (v >= 0) {
          if (chunk_size_ > (UINT64_MAX >> 4)) {
            result = fail("malformed response: chunk size too large");
            more = false;
            break;
          }
          chunk_size_ = chunk_size_ * 16 + uint64_t(v);
          ++chunk_digits_;
          ++pos;
        } else if (chunk_digits_ == 0) {
          result = fail("malformed response: invalid chunk size");
          more = false;
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::chunk_ext;
          chunk_ext_len_ = 0;
          ++pos;
        } else if (c == '\r') {
          state_ = State::chunk_size_lf;
          ++pos;
        } else if (c == '\n') {
          ++pos;
          on_chunk_size_line();
        } else {
          result = fail("malformed response: invalid chunk size");
          more = false;
        }
        break;
      }
      case State::chunk_ext: {
        // Extensions carry nothing we use: skip to the end of the line.
        const void* nl = std::memchr(in.data() + pos, '\n', in.size() - pos);
        const size_t end = nl ? size_t(static_cast<const char*>(nl) - in.data()) : in.size();
        chunk_ext_len_ += end - pos;
        pos = end;
        if (chunk_ext_len_ > kMaxChunkLineExtra) {
          result = fail("malformed response: chunk extensions too long");
          more = false;
        } else if (nl == nullptr) {
          more = false;
        } else {
          ++pos;
          on_chunk_size_line();
        }
        break;
      }
      case State::chunk_size_lf:
        if (pos == in.size()) {
          more = false;
        } else if (in[pos] != '\n') {
          result = fail("malformed response: invalid chunk size line");
          more = false;
        } else {
          ++pos;
          on_chunk_size_line();
        }
        break;
      case State::chunk_data:
        take_body(in, pos, remaining_);
        if (remaining_ == 0)
          state_ = State::chunk_data_cr;
        else
          more = false;
        break;
      case State::chunk_data_cr:
      case State::chunk_data_lf:
        if (pos == in.size()) {
          more = false;
        } else if (in[pos] == '\n') {  // a bare LF is tolerated
          ++pos;
          state_ = State::chunk_size;
        } else if (in[pos] == '\r' && state_ == State::chunk_data_cr) {
          ++pos;
          state_ = State::chunk_data_lf;
        } else {
          result = fail("malformed response: missing CRLF after chunk data");
          more = false;
        }
        break;
      case State::trailers:
        if (!collect_section(trailers_, in, pos)) {
          if (state_ == State::error) result = Result::error;
          more = false;
        } else if (!parse_fields(trailers_, true)) {
          result = Result::error;
          more = false;
        } else {
          state_ = State::complete;
        }
        break;
      case State::until_close:
        remaining_ = in.size() - pos;
        take_body(in, pos, remaining_);
        more = false;
        break;
      case State::complete:
        result = Result::complete;
        more = false;
        break;
      case State::error:
        result = Result::error;
        more = false;
        break;
    }
  }
  *consumed = pos;
  return result;
}

ResponseParser::Result ResponseParser::finish() {
  switch (state_) {
    case State::until_close:
      state_ = State::complete;
      return Result::complete;
    case State::complete:
      return Result::complete;
    case State::error:
      return Result::error;
    default:
      return fail("connection closed before response complete");
  }
}

}  // namespace loadhost::http1
