#include "h2_test_server.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace loadhost::http2::test {
namespace {

std::vector<nghttp2_nv> to_nv(const H2TestServer::Fields& fields) {
  std::vector<nghttp2_nv> nv;
  for (const auto& [name, value] : fields)
    nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                  reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                  value.size(), NGHTTP2_NV_FLAG_NONE});
  return nv;
}

}  // namespace

std::string H2TestServer::Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

H2TestServer::H2TestServer(std::vector<nghttp2_settings_entry> settings) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, &on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &on_frame_recv);
  nghttp2_session_server_new(&h2_, cb, this);
  nghttp2_session_callbacks_del(cb);
  nghttp2_submit_settings(h2_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
}

H2TestServer::~H2TestServer() { nghttp2_session_del(h2_); }

H2TestServer::Request* H2TestServer::find(int32_t stream_id) {
  for (auto& r : requests)
    if (r.stream_id == stream_id) return &r;
  return nullptr;
}

bool H2TestServer::receive(std::string_view bytes) {
  return nghttp2_session_mem_recv(h2_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) ==
         ssize_t(bytes.size());
}

std::string H2TestServer::output() {
  std::string out;
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(h2_, &data);
    if (n < 0) throw std::runtime_error(nghttp2_strerror(int(n)));
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(data), size_t(n));
  }
}

void H2TestServer::respond(int32_t stream_id, int status, std::string body, Fields fields,
                           Fields trailers) {
  fields.insert(fields.begin(), {":status", std::to_string(status)});
  const std::vector<nghttp2_nv> nv = to_nv(fields);
  auto& b = bodies_[stream_id];
  b = std::make_unique<Body>();
  b->data = std::move(body);
  b->trailers = std::move(trailers);
  nghttp2_data_provider provider{};
  provider.source.ptr = b.get();
  provider.read_callback = &read_body;
  const bool has_body = !b->data.empty() || !b->trailers.empty();
  nghttp2_submit_response(h2_, stream_id, nv.data(), nv.size(), has_body ? &provider : nullptr);
}

void H2TestServer::interim(int32_t stream_id, int status) {
  const Fields fields = {{":status", std::to_string(status)}, {"link", "</style.css>; rel=preload"}};
  const std::vector<nghttp2_nv> nv = to_nv(fields);
  nghttp2_submit_headers(h2_, NGHTTP2_FLAG_NONE, stream_id, nullptr, nv.data(), nv.size(), nullptr);
}

void H2TestServer::reset(int32_t stream_id, uint32_t code) {
  nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, stream_id, code);
}

void H2TestServer::goaway(int32_t last_stream_id, uint32_t code) {
  nghttp2_submit_goaway(h2_, NGHTTP2_FLAG_NONE, last_stream_id, code, nullptr, 0);
}

int H2TestServer::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
  auto* self = static_cast<H2TestServer*>(ud);
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    Request r;
    r.stream_id = frame->hd.stream_id;
    self->requests.push_back(std::move(r));
  }
  return 0;
}

int H2TestServer::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                            size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                            void* ud) {
  auto* self = static_cast<H2TestServer*>(ud);
  if (Request* r = self->find(frame->hd.stream_id))
    r->headers.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                            std::string(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int H2TestServer::on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                                size_t len, void* ud) {
  auto* self = static_cast<H2TestServer*>(ud);
  if (Request* r = self->find(stream_id)) r->body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int H2TestServer::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
  auto* self = static_cast<H2TestServer*>(ud);
  Request* r = self->find(frame->hd.stream_id);
  if (frame->hd.type == NGHTTP2_WINDOW_UPDATE) ++self->window_updates;
  if (r == nullptr) return 0;
  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    r->complete = true;
  if (frame->hd.type == NGHTTP2_RST_STREAM) {
    r->reset = true;
    r->reset_code = frame->rst_stream.error_code;
  }
  return 0;
}

ssize_t H2TestServer::read_body(nghttp2_session* h2, int32_t stream_id, uint8_t* buf, size_t length,
                                uint32_t* flags, nghttp2_data_source* source, void*) {
  auto* b = static_cast<Body*>(source->ptr);
  const size_t n = std::min(length, b->data.size() - b->offset);
  std::memcpy(buf, b->data.data() + b->offset, n);
  b->offset += n;
  if (b->offset == b->data.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!b->trailers.empty()) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      const std::vector<nghttp2_nv> nv = to_nv(b->trailers);
      nghttp2_submit_trailer(h2, stream_id, nv.data(), nv.size());
    }
  }
  return ssize_t(n);
}

}  // namespace loadhost::http2::test
