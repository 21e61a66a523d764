// Where the client's frame masking keys come from (websocketpp's rng_type).
//
// RFC 6455 §5.3 wants each key unpredictable, "derived from a strong source
// of entropy", so that a page cannot steer the bytes a proxy sees. The
// default of websocketpp asks std::random_device for every frame — the
// CPU's RDSEED instruction, which under a load test's frame rate runs dry
// and spins: measured at 31 % of loadhost's CPU in the echo benchmark
// (tests/perf/websocket_vs_reference.sh). OpenSSL's CSPRNG is as strong
// and costs little when asked for a kilobyte at a time, so keys are taken
// from such a buffer, refilled as it empties.
//
// Thread: one per endpoint, used on its session's loop thread only.
#pragma once

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace loadhost::websocket {

class MaskingKeys {
 public:
  uint32_t operator()() {
    if (next_ == keys_.size()) refill();
    return keys_[next_++];
  }

 private:
  void refill() {
    next_ = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(keys_.data()), int(sizeof(keys_))) == 1) return;
    // OpenSSL could not seed itself (no entropy source at all): the
    // kernel's device, a key at a time, rather than predictable keys.
    std::random_device device;
    for (uint32_t &key : keys_) key = device();
  }

  std::array<uint32_t, 256> keys_{};
  size_t next_ = keys_.size();  // empty: the first key fills it
};

}  // namespace loadhost::websocket
