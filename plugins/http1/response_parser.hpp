// Incremental HTTP/1.1 response parser.
//
// Bytes arrive in pieces of any size (the host's reads); feed() consumes what
// it can and keeps its place, so a response split at any byte parses the same
// as one delivered whole. The header section is collected into one buffer and
// parsed in place once complete: header names and values are views into it,
// never copies. The body is decoded (chunked framing removed) into a second
// buffer, or only counted when the caller does not want it. All buffers keep
// their capacity across reset(), so a session parses its thousandth response
// without touching the allocator.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loadhost/abi.h"

namespace loadhost::http1 {

class ResponseParser {
 public:
  // The header section (status line + headers, or the trailers) may not
  // exceed this; a bigger one is an error rather than unbounded memory.
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;

  enum class Result { need_more, complete, error };

  // Prepares for the response to a new request. A response to HEAD has no
  // body whatever its headers say. With keep_body false the body is counted
  // but not stored (LH_REQUEST_DISCARD_BODY).
  void reset(bool head_request, bool keep_body);

  // Consumes a prefix of `in`; *consumed tells how much. `complete` means a
  // final (non-1xx) response ended within `in`: bytes after it are not part
  // of it. After `complete` or `error`, feed() consumes nothing.
  Result feed(std::string_view in, size_t* consumed);

  // The peer closed the connection: completes a body delimited by the close,
  // anything else unfinished is an error.
  Result finish();

  // Any byte of the response (even a 1xx or a blank line) has arrived; used
  // to decide whether a request on a stale keep-alive connection may be
  // retried.
  bool started() const { return started_; }

  int status() const { return status_; }          // 0 until the status line parsed
  std::string_view reason() const { return reason_; }
  // Whether the connection may carry another request after this response.
  bool keep_alive() const { return keep_alive_; }
  // Headers, then trailers, in arrival order; views into the parser's buffers,
  // valid until the next reset() or feed().
  std::span<const lh_kv> fields() const { return fields_; }
  // The first field named `name` (case-insensitive), or absent (data NULL).
  lh_str field(std::string_view name) const;
  std::string_view body() const { return body_; }
  uint64_t body_size() const { return body_size_; }
  // A one-line reason after `error`: "malformed response: invalid status line".
  std::string_view error() const { return error_; }

 private:
  enum class State {
    head,            // status line and headers
    length_body,     // Content-Length bytes
    chunk_size,      // hex digits of a chunk-size line
    chunk_ext,       // the rest of a chunk-size line (extensions, BWS)
    chunk_size_lf,   // LF after the CR of a chunk-size line
    chunk_data,      // chunk payload
    chunk_data_cr,   // CRLF after chunk payload
    chunk_data_lf,
    trailers,        // trailer section after the last chunk
    until_close,     // body delimited by the connection close
    complete,
    error
  };

  Result fail(const char* reason);
  // Collects header-section bytes into `buf` up to the blank line; returns
  // true when the section is complete. Sets the error on overflow.
  bool collect_section(std::string& buf, std::string_view in, size_t& pos);
  bool parse_head();  // status line + headers in head_; picks the body framing
  bool parse_fields(std::string_view lines, bool trailers);
  void on_chunk_size_line();  // after a chunk-size line: data or trailers
  void take_body(std::string_view in, size_t& pos, uint64_t& remaining);

  State state_ = State::head;
  bool head_request_ = false;
  bool keep_body_ = true;
  bool started_ = false;
  bool keep_alive_ = true;
  int status_ = 0;
  int version_minor_ = 1;
  std::string_view reason_;
  std::string head_;       // the header section being collected / parsed
  std::string trailers_;   // the trailer section, kept apart so head_ views stay valid
  size_t line_len_ = 0;    // bytes of the current (unfinished) line in a section
  size_t skipped_ = 0;     // blank lines skipped before the status line
  std::vector<lh_kv> fields_;
  std::string body_;
  uint64_t body_size_ = 0;
  uint64_t remaining_ = 0;       // of the Content-Length body or the current chunk
  uint64_t chunk_size_ = 0;
  unsigned chunk_digits_ = 0;
  size_t chunk_ext_len_ = 0;
  const char* error_ = "";

  // Framing facts gathered while parsing headers.
  bool chunked_ = false;
  bool has_length_ = false;
  bool has_transfer_encoding_ = false;
  uint64_t content_length_ = 0;
};

}  // namespace loadhost::http1
