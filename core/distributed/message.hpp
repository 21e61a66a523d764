// Message: one message of Locust's master/worker protocol, (type, data,
// node_id) encoded as a 3-element msgpack array, exactly as Locust 2.12's
// rpc/protocol.py Message.serialize() writes it, so either side reads the
// other's messages.
//
// Why msgpack objects and not our own structs: the data of a message is
// dynamic (Locust sends dicts whose numbers are ints or floats depending on
// the worker, maps with integer keys, None), and each side must ignore keys
// it does not know. The readers below accept every form Locust writes.
//
// Thread: none shared; a message belongs to whoever decoded it.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::distributed {

using Packer = msgpack::packer<msgpack::sbuffer>;

struct Message {
  std::string type;
  std::string node_id;
  msgpack::object_handle handle;  // owns what `data()` points into
  // The message's data: nil when it has none.
  const msgpack::object &data() const { return handle.get(); }
};

// Encodes (type, data, node_id). `pack_data` writes exactly one object (the
// data); without it the data is nil.
std::string encode_message(std::string_view type, std::string_view node_id,
                           const std::function<void(Packer &)> &pack_data = {});

// Decodes one message. Garbage, a truncated message, trailing bytes, or
// anything but [str, any, str] gives nullopt and one line in *error.
std::optional<Message> decode_message(std::string_view bytes, std::string *error);

// Readers of dynamic data. Each returns nullopt (or null) when the value is
// missing or has another type; numbers accept int, uint and float.
const msgpack::object *map_find(const msgpack::object &map, std::string_view key);
std::optional<double> as_number(const msgpack::object *value);
std::optional<int64_t> as_int(const msgpack::object *value);  // floats with an integral value too
std::optional<std::string_view> as_string(const msgpack::object *value);

// Writers for the common pairs of a map.
inline void pack_str(Packer &p, std::string_view s) {
  p.pack_str(uint32_t(s.size()));
  p.pack_str_body(s.data(), uint32_t(s.size()));
}

}  // namespace loadhost::distributed
