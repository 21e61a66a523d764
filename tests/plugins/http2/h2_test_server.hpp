// A scripted HTTP/2 server for the session tests: an nghttp2 server session
// fed with the bytes the plugin wrote, answering as each test says (a
// response, RST_STREAM, GOAWAY, a small MAX_CONCURRENT_STREAMS, ...).
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadhost::http2::test {

class H2TestServer {
 public:
  struct Request {
    int32_t stream_id = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // in order, pseudo-headers first
    std::string body;
    bool complete = false;  // END_STREAM received
    bool reset = false;     // RST_STREAM received
    uint32_t reset_code = 0;
    std::string header(std::string_view name) const;  // first of that name, or ""
  };
  using Fields = std::vector<std::pair<std::string, std::string>>;

  // `settings` go in the server's first SETTINGS frame.
  explicit H2TestServer(std::vector<nghttp2_settings_entry> settings = {});
  ~H2TestServer();
  H2TestServer(const H2TestServer&) = delete;
  H2TestServer& operator=(const H2TestServer&) = delete;

  // Bytes from the client. Returns false on a protocol error.
  bool receive(std::string_view bytes);
  // Everything the server has to send now.
  std::string output();

  void respond(int32_t stream_id, int status, std::string body = {}, Fields fields = {},
               Fields trailers = {});
  // An interim response (103 Early Hints, ...) before the final one.
  void interim(int32_t stream_id, int status);
  void reset(int32_t stream_id, uint32_t code);
  void goaway(int32_t last_stream_id, uint32_t code);

  std::vector<Request> requests;  // in arrival order (of their HEADERS)
  Request* find(int32_t stream_id);
  int window_updates = 0;  // WINDOW_UPDATE frames received (connection or stream)

 private:
  struct Body {
    std::string data;
    size_t offset = 0;
    Fields trailers;
  };
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame*, void*);
  static int on_header(nghttp2_session*, const nghttp2_frame*, const uint8_t*, size_t,
                       const uint8_t*, size_t, uint8_t, void*);
  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame*, void*);
  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t*, size_t, uint32_t*,
                           nghttp2_data_source*, void*);

  nghttp2_session* h2_ = nullptr;
  std::map<int32_t, std::unique_ptr<Body>> bodies_;
};

}  // namespace loadhost::http2::test
