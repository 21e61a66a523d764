#include "codec.hpp"

#include <algorithm>

namespace loadhost::mqtt_plugin::codec {

namespace {

void put_u16(std::string &out, size_t v) {
  out.push_back(char((v >> 8) & 0xFF));
  out.push_back(char(v & 0xFF));
}

void put_string(std::string &out, std::string_view s) {
  put_u16(out, s.size());
  out.append(s);
}

// The fixed header: type and flags, then the remaining length as a varint
// of 7-bit groups, least significant first (2.2.3).
void put_header(std::string &out, uint8_t type, uint8_t flags, size_t remaining) {
  out.push_back(char((type << 4) | (flags & 0x0F)));
  do {
    uint8_t byte = remaining % 128;
    remaining /= 128;
    if (remaining > 0) byte |= 0x80;
    out.push_back(char(byte));
  } while (remaining > 0);
}

uint16_t get_u16(std::string_view s, size_t at) { return uint16_t((uint8_t(s[at]) << 8) | uint8_t(s[at + 1])); }

std::string bad(const char *what, const Packet &p) { return type_name(p.type) + ": " + what; }

}  // namespace

// ---- encoding ----------------------------------------------------------------

void encode_connect(std::string &out, const Connect &c) {
  const bool will = !c.will.topic.empty();
  const bool user = !c.username.empty();
  const bool pass = user && !c.password.empty();
  size_t length = 10 + 2 + c.client_id.size();  // "MQTT" + level + flags + keep-alive, client id
  if (will) length += 2 + c.will.topic.size() + 2 + c.will.payload.size();
  if (user) length += 2 + c.username.size();
  if (pass) length += 2 + c.password.size();
  put_header(out, kConnect, 0, length);
  put_string(out, "MQTT");
  out.push_back(char(4));  // protocol level 4 = 3.1.1
  uint8_t flags = 0;
  if (c.clean_session) flags |= 0x02;
  if (will) flags |= uint8_t(0x04 | ((c.will.qos & 3) << 3) | (c.will.retain ? 0x20 : 0));
  if (pass) flags |= 0x40;
  if (user) flags |= 0x80;
  out.push_back(char(flags));
  put_u16(out, c.keep_alive_s);
  put_string(out, c.client_id);
  if (will) {
    put_string(out, c.will.topic);
    put_string(out, c.will.payload);
  }
  if (user) put_string(out, c.username);
  if (pass) put_string(out, c.password);
}

void encode_publish(std::string &out, std::string_view topic, std::string_view prefix, std::string_view body,
                    int qos, bool retain, bool dup, uint16_t packet_id) {
  size_t length = 2 + topic.size() + (qos > 0 ? 2 : 0) + prefix.size() + body.size();
  put_header(out, kPublish, uint8_t((dup ? 0x08 : 0) | ((qos & 3) << 1) | (retain ? 0x01 : 0)), length);
  put_string(out, topic);
  if (qos > 0) put_u16(out, packet_id);
  out.append(prefix);
  out.append(body);
}

void encode_ack(std::string &out, Type type, uint16_t packet_id) {
  put_header(out, type, type == kPubrel ? 0x02 : 0, 2);
  put_u16(out, packet_id);
}

void encode_subscribe(std::string &out, uint16_t packet_id, std::string_view filter, int qos) {
  put_header(out, kSubscribe, 0x02, 2 + 2 + filter.size() + 1);  // flags 0b0010 required (3.8.1)
  put_u16(out, packet_id);
  put_string(out, filter);
  out.push_back(char(qos & 3));
}

void encode_unsubscribe(std::string &out, uint16_t packet_id, std::string_view filter) {
  put_header(out, kUnsubscribe, 0x02, 2 + 2 + filter.size());
  put_u16(out, packet_id);
  put_string(out, filter);
}

void encode_pingreq(std::string &out) { put_header(out, kPingreq, 0, 0); }
void encode_disconnect(std::string &out) { put_header(out, kDisconnect, 0, 0); }

// ---- framing -------------------------------------------------------------------

size_t Decoder::read_header(std::string_view bytes, uint32_t &remaining) {
  remaining = 0;
  for (size_t i = 1; i < bytes.size(); ++i) {
    if (i > 4) {
      error_ = "malformed packet from the broker: remaining length longer than 4 bytes";
      return 0;
    }
    remaining |= uint32_t(uint8_t(bytes[i]) & 0x7F) << (7 * (i - 1));
    if ((uint8_t(bytes[i]) & 0x80) == 0) return i + 1;
  }
  if (bytes.size() > 4 && (uint8_t(bytes[4]) & 0x80)) {
    error_ = "malformed packet from the broker: remaining length longer than 4 bytes";
  }
  return 0;
}

Decoder::Result Decoder::next(std::string_view &input, Packet &packet) {
  if (!error_.empty()) return Result::error;
  if (emitted_) {
    buffer_.clear();  // keeps its capacity for the next split packet
    emitted_ = false;
  }
  uint32_t remaining = 0;
  if (buffer_.empty()) {
    // The common case: the whole packet is in this read. No copy.
    size_t header = read_header(input, remaining);
    if (!error_.empty()) return Result::error;
    if (header > 0 && input.size() - header >= remaining) {
      packet.type = uint8_t(input[0]) >> 4;
      packet.flags = uint8_t(input[0]) & 0x0F;
      packet.body = input.substr(header, remaining);
      input.remove_prefix(header + remaining);
      return Result::packet;
    }
  }
  // Split across reads: gather the header byte by byte (at most 5), then
  // exactly the rest of this packet, never bytes of the next one.
  size_t header = read_header(buffer_, remaining);
  while (header == 0) {
    if (!error_.empty()) return Result::error;
    if (input.empty()) return Result::need_more;
    buffer_.push_back(input.front());
    input.remove_prefix(1);
    header = read_header(buffer_, remaining);
  }
  const size_t total = header + remaining;
  const size_t take = std::min(total - buffer_.size(), input.size());
  buffer_.append(input.substr(0, take));
  input.remove_prefix(take);
  if (buffer_.size() < total) return Result::need_more;
  packet.type = uint8_t(buffer_[0]) >> 4;
  packet.flags = uint8_t(buffer_[0]) & 0x0F;
  packet.body = std::string_view(buffer_).substr(header);
  emitted_ = true;
  return Result::packet;
}

void Decoder::reset() {
  buffer_.clear();
  emitted_ = false;
  error_.clear();
}

// ---- parsing -------------------------------------------------------------------

std::string type_name(uint8_t type) {
  static constexpr const char *kNames[] = {"type 0",     "CONNECT", "CONNACK",  "PUBLISH",     "PUBACK",
                                           "PUBREC",     "PUBREL",  "PUBCOMP",  "SUBSCRIBE",   "SUBACK",
                                           "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
                                           "type 15"};
  return type < 16 ? kNames[type] : "type " + std::to_string(type);
}

std::string parse_connack(const Packet &p, Connack &out) {
  if (p.flags != 0) return bad("reserved flags set", p);
  if (p.body.size() != 2) return bad("length is not 2", p);
  if (uint8_t(p.body[0]) & 0xFE) return bad("reserved acknowledge flags set", p);
  out.session_present = (uint8_t(p.body[0]) & 1) != 0;
  out.return_code = uint8_t(p.body[1]);
  return {};
}

std::string connack_refusal_text(uint8_t code) {
  switch (code) {
    case 1: return "refused: unacceptable protocol version";
    case 2: return "refused: client identifier rejected";
    case 3: return "refused: server unavailable";
    case 4: return "refused: bad user name or password";
    case 5: return "refused: not authorized";
    default: return "refused: CONNACK return code " + std::to_string(code);
  }
}

std::string parse_publish(const Packet &p, Publish &out) {
  out.qos = (p.flags >> 1) & 3;
  if (out.qos == 3) return bad("QoS 3", p);
  out.dup = (p.flags & 0x08) != 0;
  out.retain = (p.flags & 0x01) != 0;
  std::string_view b = p.body;
  if (b.size() < 2) return bad("too short for a topic", p);
  size_t topic_size = get_u16(b, 0);
  size_t at = 2 + topic_size;
  if (b.size() < at + (out.qos > 0 ? 2 : 0)) return bad("topic or packet id past the end", p);
  out.topic = b.substr(2, topic_size);
  if (out.topic.find_first_of("+#") != std::string_view::npos) return bad("wildcard in the topic", p);
  out.packet_id = 0;
  if (out.qos > 0) {
    out.packet_id = get_u16(b, at);
    if (out.packet_id == 0) return bad("packet id 0", p);
    at += 2;
  }
  out.payload = b.substr(at);
  return {};
}

std::string parse_ack(const Packet &p, uint16_t &packet_id) {
  if (p.flags != (p.type == kPubrel ? 0x02 : 0)) return bad("reserved flags wrong", p);
  if (p.body.size() != 2) return bad("length is not 2", p);
  packet_id = get_u16(p.body, 0);
  if (packet_id == 0) return bad("packet id 0", p);
  return {};
}

std::string parse_suback(const Packet &p, uint16_t &packet_id, std::vector<uint8_t> &codes) {
  if (p.flags != 0) return bad("reserved flags set", p);
  if (p.body.size() < 3) return bad("no return code", p);
  packet_id = get_u16(p.body, 0);
  if (packet_id == 0) return bad("packet id 0", p);
  codes.clear();
  for (size_t i = 2; i < p.body.size(); ++i) {
    uint8_t code = uint8_t(p.body[i]);
    if (code > 2 && code != 0x80) return bad("return code neither a QoS nor 0x80", p);
    codes.push_back(code);
  }
  return {};
}

std::string parse_pingresp(const Packet &p) {
  if (p.flags != 0 || !p.body.empty()) return bad("not empty", p);
  return {};
}

}  // namespace loadhost::mqtt_plugin::codec
