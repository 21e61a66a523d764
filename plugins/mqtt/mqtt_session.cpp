#include "mqtt_session.hpp"

#include <unistd.h>

#include <utility>

#include "loadhost/kit/call_completion.hpp"
#include "loadhost/kit/option_reader.hpp"
#include "loadhost/kit/str.hpp"
#include "native_session.hpp"
#include "paho_session.hpp"
#include "settings.hpp"

namespace loadhost::mqtt_plugin {

namespace {
using kit::view;
using kit::str;
}  // namespace

MqttSession::MqttSession(PluginState &plugin, const lh_session_config &config, BrokerAddress broker,
                         ConnectSettings settings)
    : plugin_(plugin),
      host_(plugin.host),
      loop_(config.loop),
      broker_(std::move(broker)),
      settings_(std::move(settings)),
      user_class_(view(config.user_class)),
      inbox_limit_(settings_.inbox_limit) {}

void MqttSession::start(lh_call *call, const lh_request &request) {
  std::string_view op = view(request.operation);
  if (op == "connect") start_connect(call, request);
  else if (op == "publish") start_publish(call, request);
  else if (op == "subscribe") start_subscribe(call, request, true);
  else if (op == "unsubscribe") start_subscribe(call, request, false);
  else if (op == "disconnect") start_disconnect(call);
  else if (op == "receive") start_receive(call);
  else
    fail(call, "mqtt: unknown operation '" + std::string(op) +
                   "' (known: connect, publish, subscribe, unsubscribe, disconnect, receive)");
}

void MqttSession::complete(lh_call *call, std::string_view error, uint64_t bytes_sent, uint32_t flags) {
  lh_response response = kit::make_response();
  kit::set_error(response, error);
  response.bytes_sent = bytes_sent;
  response.flags = flags;
  host_->call_complete(call, &response);
}

std::optional<ConnectSettings> MqttSession::connect_settings(lh_call *call, const lh_request &request) {
  ConnectSettings settings = settings_;
  std::string error;
  for (size_t i = 0; i < request.metadata_count; ++i)
    if (!apply_connect_setting(settings, view(request.metadata[i].key), view(request.metadata[i].value), error)) {
      fail(call, error);
      return std::nullopt;
    }
  if (settings.client_id.empty())
    settings.client_id = "loadhost-" + std::to_string(::getpid()) + "-" + std::to_string(plugin_.next_client++);
  return settings;
}

std::optional<MessageSettings> MqttSession::message_settings(lh_call *call, const lh_request &request) {
  MessageSettings settings;
  std::string error;
  for (size_t i = 0; i < request.metadata_count; ++i)
    if (!apply_message_setting(settings, view(request.metadata[i].key), view(request.metadata[i].value), error)) {
      fail(call, error);
      return std::nullopt;
    }
  return settings;
}

bool MqttSession::require_connected(lh_call *call, std::string_view operation) {
  if (connected()) return true;
  fail(call, "mqtt: " + std::string(operation) + " while not connected: call \"connect\" first");
  return false;
}

std::unique_ptr<MqttSession> MqttSession::create(PluginState &plugin, const lh_session_config &config,
                                                 std::string &error) {
  std::optional<BrokerAddress> broker = parse_broker_url(view(config.base_url), error);
  if (!broker) return nullptr;
  ConnectSettings settings;
  const lh_host *host = plugin.host;
  if (auto insecure = host->option(host, "insecure"); insecure.data)
    settings.insecure = kit::parse_bool(view(insecure)).value_or(true);
  // The run's default engine; a session option "engine" overrides it.
  if (auto engine = host->option(host, "mqtt-engine"); engine.data && engine.size > 0) {
    std::optional<Engine> e = parse_engine(view(engine));
    if (!e) {
      error = kit::OptionReader::format_error("mqtt", "--mqtt-engine", view(engine), "paho or native");
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
