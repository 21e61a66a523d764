#include "core/distributed/message.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace loadhost::distributed {

namespace {
constexpr std::size_t kMaxDepth = 32;  // Locust's messages nest 4 deep; garbage cannot recurse far

std::string_view str_of(const msgpack::object &o) { return {o.via.str.ptr, o.via.str.size}; }
}  // namespace

std::string encode_message(std::string_view type, std::string_view node_id,
                           const std::function<void(Packer &)> &pack_data) {
  msgpack::sbuffer buffer;
  Packer p(buffer);
  p.pack_array(3);
  pack_str(p, type);
  if (pack_data) pack_data(p);
  else p.pack_nil();
  pack_str(p, node_id);
  return std::string(buffer.data(), buffer.size());
}

std::optional<Message> decode_message(std::string_view bytes, std::string *error) {
  auto fail = [&](std::string why) -> std::optional<Message> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (bytes.empty()) return fail("an empty message");
  // Element counts cannot exceed the bytes that would hold them: a garbage
  // header claiming 4 billion elements is refused before any allocation.
  const std::size_t n = bytes.size();
  msgpack::unpack_limit limit(n, n / 2 + 1, n, n, n, kMaxDepth);
  Message msg;
  std::size_t offset = 0;
  try {
    msg.handle = msgpack::unpack(bytes.data(), n, offset, nullptr, nullptr, limit);
  } catch (const msgpack::insufficient_bytes &) {
    return fail(fmt::format("truncated msgpack ({} bytes)", n));
  } catch (const std::exception &e) {
    return fail(fmt::format("not msgpack: {}", e.what()));
  }
  if (offset != n) return fail(fmt::format("{} bytes after the message", n - offset));
  const msgpack::object &root = msg.handle.get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size != 3)
    return fail("not a (type, data, node_id) triple");
  const msgpack::object &type = root.via.array.ptr[0];
  const msgpack::object &node = root.via.array.ptr[2];
  if (type.type != msgpack::type::STR) return fail("its type is not a string");
  if (node.type != msgpack::type::STR) return fail("its node id is not a string");
  msg.type = std::string(str_of(type));
  msg.node_id = std::string(str_of(node));
  // data() reads the handle's root; point it at the middle element.
  msgpack::object data = root.via.array.ptr[1];
  msg.handle.set(data);
  return msg;
}

const msgpack::object *map_find(const msgpack::object &map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (uint32_t i = 0; i < map.via.map.size; ++i) {
    const msgpack::object_kv &kv = map.via.map.ptr[i];
    if (kv.key.type == msgpack::type::STR && str_of(kv.key) == key) return &kv.val;
  }
  return nullptr;
}

std::optional<double> as_number(const msgpack::object *v) {
  if (!v) return std::nullopt;
  switch (v->type) {
    case msgpack::type::POSITIVE_INTEGER: return double(v->via.u64);
    case msgpack::type::NEGATIVE_INTEGER: return double(v->via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      if (!std::isfinite(v->via.f64)) return std::nullopt;
      return v->via.f64;
    default: return std::nullopt;
  }
}

std::optional<int64_t> as_int(const msgpack::object *v) {
  if (!v) return std::nullopt;
  switch (v->type) {
    case msgpack::type::POSITIVE_INTEGER:
      if (v->via.u64 > uint64_t(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return int64_t(v->via.u64);
    case msgpack::type::NEGATIVE_INTEGER: return v->via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: {
      double d = v->via.f64;
      if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e18) return std::nullopt;
      return int64_t(d);
    }
    default: return std::nullopt;
  }
}

std::optional<std::string_view> as_string(const msgpack::object *v) {
  if (!v || v->type != msgpack::type::STR) return std::nullopt;
  return str_of(*v);
}

}  // namespace loadhost::distributed
