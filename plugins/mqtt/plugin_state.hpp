// What the mqtt plugin keeps between init and deinit.
#pragma once

#include <mqtt/async_client.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <unistd.h>

#include "loadhost/host.h"
#include "reaper.hpp"

namespace loadhost::mqtt_plugin {

struct PluginState {
  explicit PluginState(const lh_host *h)
      : host(h),
        // Never connected. Paho C tears its global state down (and stops its
        // threads) whenever its client count drops to zero, racing with a
        // client being created on another thread (Paho C issue #323): with
        // this one alive until deinit, the count never drops to zero
        // mid-run.
        anchor(std::make_unique<mqtt::async_client>("tcp://127.0.0.1:1",
                                                    "loadhost-anchor-" + std::to_string(::getpid()),
                                                    mqtt::create_options(MQTTVERSION_3_1_1), nullptr)) {}
  const lh_host *host;
  std::unique_ptr<mqtt::async_client> anchor;  // destroyed last (after the Reaper's clients)
  Reaper reaper;                         // disconnects and frees closed sessions' clients
  std::atomic<uint64_t> next_client{1};  // numbers the default client ids
};

}  // namespace loadhost::mqtt_plugin
