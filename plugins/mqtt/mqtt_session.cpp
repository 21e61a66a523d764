#include "mqtt_session.hpp"

#include <utility>

#include "native_session.hpp"
#include "paho_session.hpp"
#include "settings.hpp"

namespace loadhost::mqtt_plugin {

namespace {
std::string_view view(lh_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }
}  // namespace

std::unique_ptr<MqttSession> MqttSession::create(PluginState &plugin, const lh_session_config &config,
                                                 std::string &error) {
  std::optional<BrokerAddress> broker = parse_broker_url(view(config.base_url), error);
  if (!broker) return nullptr;
  ConnectSettings settings;
  const lh_host *host = plugin.host;
  if (auto insecure = host->option(host, "insecure"); insecure.data)
    settings.insecure = parse_bool(view(insecure)).value_or(true);
  // The run's default engine; a session option "engine" overrides it.
  if (auto engine = host->option(host, "mqtt-engine"); engine.data && engine.size > 0) {
    std::optional<Engine> e = parse_engine(view(engine));
    if (!e) {
      error = "mqtt: --mqtt-engine '" + std::string(view(engine)) + "' is not paho or native";
      return nullptr;
    }
    settings.engine = *e;
  }
  for (size_t i = 0; i < config.option_count; ++i)
    if (!apply_connect_setting(settings, view(config.options[i].key), view(config.options[i].value), error))
      return nullptr;
  if (settings.engine == Engine::native)
    return NativeSession::create(plugin, config, std::move(*broker), std::move(settings), error);
  return PahoSession::create(plugin, config, std::move(*broker), std::move(settings), error);
}

}  // namespace loadhost::mqtt_plugin
