// MQTT 3.1.1 on the wire, for the native engine: encoders that append one
// packet to a buffer, and a Decoder that cuts the broker's byte stream into
// packets across arbitrary read splits. Pure functions and one small state
// machine: no I/O, no host, so every split point can be unit-tested.
//
// Why hand-written: the native engine exists so that a packet costs O(1)
// whatever the number of clients, on the user's loop thread; MQTT 3.1.1 is
// small enough (OASIS standard, sections 2 and 3) that a codec is ~300 lines.
//
// The decoder only frames (fixed header + remaining length); the parse_*
// functions below read the variable header and payload of the packets a
// broker may send a client, and reject anything malformed with a one-line
// reason (the session closes the connection then: a stream out of step is
// never resynchronised).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost::mqtt_plugin::codec {

// Control packet types (fixed header, high nibble).
enum Type : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

// The largest remaining length four varint bytes can carry (2.2.3).
inline constexpr uint32_t kMaxRemainingLength = 268'435'455;
// MQTT strings and topics carry a 16-bit length.
inline constexpr size_t kMaxString = 65'535;

// ---- encoding: each appends one whole packet to `out` -----------------------

struct Will {
  std::string_view topic;  // empty: no will
  std::string_view payload;
  int qos = 0;
  bool retain = false;
};
struct Connect {
  std::string_view client_id;
  bool clean_session = true;
  uint16_t keep_alive_s = 60;
  std::string_view username;  // empty: none
  std::string_view password;  // empty: none (sent only with a user name, 3.1.2.9)
  Will will;
};

// The strings must fit kMaxString (callers check with fits()).
void encode_connect(std::string &out, const Connect &c);
// `payload` is sent as prefix followed by body (the stamp and the user's
// bytes, without joining them first). `packet_id` is ignored at QoS 0.
void encode_publish(std::string &out, std::string_view topic, std::string_view prefix, std::string_view body,
                    int qos, bool retain, bool dup, uint16_t packet_id);
// PUBACK, PUBREC, PUBREL (with its required flags 0b0010), PUBCOMP.
void encode_ack(std::string &out, Type type, uint16_t packet_id);
void encode_subscribe(std::string &out, uint16_t packet_id, std::string_view filter, int qos);
void encode_unsubscribe(std::string &out, uint16_t packet_id, std::string_view filter);
void encode_pingreq(std::string &out);
void encode_disconnect(std::string &out);

inline bool fits(std::string_view s) { return s.size() <= kMaxString; }

// ---- decoding --------------------------------------------------------------

// One framed packet. `body` (variable header + payload) points into the
// Decoder's input or its own buffer: valid until the next call to next().
struct Packet {
  uint8_t type = 0;
  uint8_t flags = 0;  // the fixed header's low nibble
  std::string_view body;
};

class Decoder {
 public:
  enum class Result { need_more, packet, error };

  // Takes bytes from the front of `input` (advancing it) until one packet is
  // complete (Result::packet), the input is used up (need_more), or the
  // framing is invalid (error; error() says why; the decoder stays failed).
  // A packet wholly inside `input` is not copied.
  Result next(std::string_view &input, Packet &packet);
  std::string_view error() const { return error_; }
  // Forgets a partial packet and any error (a new connection).
  void reset();

 private:
  // Reads the fixed header at the front of `bytes`: 0 = need more, else its
  // length (2 to 5). Sets error_ on a remaining length over four bytes.
  size_t read_header(std::string_view bytes, uint32_t &remaining);

  std::string buffer_;    // a packet split across reads, gathered
  bool emitted_ = false;  // buffer_ holds a packet already handed out
  std::string error_;
};

// ---- the packets a broker sends a client ------------------------------------
// Each returns an empty string when valid, else a one-line reason.

struct Connack {
  bool session_present = false;
  uint8_t return_code = 0;  // 0 = accepted (3.2.2.3)
};
std::string parse_connack(const Packet &p, Connack &out);
// The text of a refused CONNACK ("refused: bad user name or password").
std::string connack_refusal_text(uint8_t return_code);

struct Publish {
  std::string_view topic;
  std::string_view payload;
  int qos = 0;
  bool retain = false;
  bool dup = false;
  uint16_t packet_id = 0;  // QoS 1 and 2 only
};
std::string parse_publish(const Packet &p, Publish &out);

// PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: just a packet id.
std::string parse_ack(const Packet &p, uint16_t &packet_id);

// SUBACK: the packet id and one return code per filter (0-2 granted QoS,
// 0x80 failure).
std::string parse_suback(const Packet &p, uint16_t &packet_id, std::vector<uint8_t> &codes);

// PINGRESP: no body.
std::string parse_pingresp(const Packet &p);

// "PUBLISH", "SUBACK" ... for messages; "type N" for an unknown one.
std::string type_name(uint8_t type);

}  // namespace loadhost::mqtt_plugin::codec
