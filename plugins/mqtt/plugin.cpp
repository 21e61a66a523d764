// The mqtt plugin's entry: its descriptor, its options and its process-wide
// state (Paho's anchor client and cleanup thread). The C glue around it is
// the SDK's (loadhost/protocol_plugin.hpp); sessions are either engine's
// (mqtt_session.hpp).
#include <dlfcn.h>

#include <memory>
#include <string>

#include "loadhost/protocol_plugin.hpp"
#include "mqtt_session.hpp"
#include "plugin_state.hpp"
#include "quick_user.hpp"

namespace {

using loadhost::mqtt_plugin::MqttSession;
using loadhost::mqtt_plugin::PluginState;

PluginState *g_state = nullptr;

const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "topic", nullptr, "TOPIC",
     "Quick mode: the topic each user subscribes to and publishes on ({user} = the user's number)", "loadhost/test",
     0},
    {sizeof(lh_option_spec), "qos", nullptr, "N", "Quick mode: QoS of the subscription and the publishes (0, 1, 2)",
     "0", 0},
    {sizeof(lh_option_spec), "payload-size", nullptr, "BYTES",
     "Quick mode: payload bytes per message (plus a 16-byte send-time stamp)", "64", 0},
    {sizeof(lh_option_spec), "publish-rate", nullptr, "R", "Quick mode: messages per second per user", "1", 0},
    {sizeof(lh_option_spec), "mqtt-engine", nullptr, "ENGINE",
     "MQTT client of every session: native (the plugin's own, on the host's connections) or paho (Paho's "
     "async client)",
     "native", 0},
};

lh_plugin_options g_options = {sizeof(lh_plugin_options), sizeof kOptions / sizeof kOptions[0], kOptions,
                               nullptr};

// Keeps an already loaded library mapped for the rest of the process, even
// after the host unloads the plugin.
void pin(const char *path) {
  if (path) (void)dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

struct MqttPlugin : loadhost::plugin::Defaults {
  static constexpr lh_descriptor descriptor = {
      sizeof(lh_descriptor),
      "mqtt",
      "MQTT 3.1.1",
      "loadhost",
      "0.2.0",
      "MQTT over Paho's async client or a native client on the host's connections: connect, publish (QoS 0/1/2), "
      "subscribe, receive; end-to-end delivery latency",
      "mqtt,mqtts",
  };
  using Session = MqttSession;

  static const char *init(const lh_host &host) {
    // Paho C runs detached threads that we cannot join: its last
    // MQTTAsync_destroy waits until they flag "stopped", after which they
    // still run a few instructions of the library. Unmapping it then would
    // crash them, so Paho stays mapped.
    pin("libpaho-mqtt3as.so.1");
    pin("libpaho-mqttpp3.so.1");
    try {
      auto state = std::make_unique<PluginState>(&host);
      g_options.quick_user = loadhost::mqtt_plugin::quick_user_class(&host);
      g_state = state.release();
    } catch (...) {
      return "mqtt: could not start (out of memory or threads)";
    }
    return nullptr;
  }

  static void deinit() {
    if (!g_state) return;
    // The Reaper disconnects and destroys what is left, once quiet, and
    // joins its thread.
    g_state->reaper.shutdown();
    if (g_state->reaper.leaked()) {
      // Clients still busy after Reaper::kQuiesceLimit were leaked: their
      // callbacks run this plugin's code, so it must stay mapped. The anchor
      // stays too (destroying it is harmless but pointless).
      static constexpr char kText[] =
          "mqtt: some Paho clients were still busy at unload; left to the process's exit";
      g_state->host->log(g_state->host, LH_LOG_WARNING, lh_str{kText, sizeof kText - 1});
      Dl_info self{};
      if (dladdr(reinterpret_cast<void *>(&MqttPlugin::deinit), &self)) pin(self.dli_fname);
      return;
    }
    delete g_state;  // then the anchor: Paho's last client, which stops its threads
    g_state = nullptr;
  }

  static std::unique_ptr<Session> create_session(const lh_host &, const lh_session_config &config,
                                                 std::string &error) {
    return MqttSession::create(*g_state, config, error);
  }
  static void fail_call(Session &s, lh_call *call, const char *text) noexcept {
    try {
      s.fail(call, text);
    } catch (...) {
    }
  }
  static const lh_plugin_options *options() { return &g_options; }
};

}  // namespace

LOADHOST_PROTOCOL_PLUGIN(MqttPlugin);
