#include "session.hpp"

#include <algorithm>

#include "channel.hpp"
#include "loadhost/kit/call_completion.hpp"
#include "loadhost/kit/option_reader.hpp"
#include "loadhost/kit/str.hpp"
#include "grpc_call.hpp"
#include "loop_context.hpp"
#include "plugin_state.hpp"
#include "stream_body.hpp"

namespace loadhost::grpc_plugin {

namespace {

using kit::view;

bool known_option(std::string_view name) {
  return std::find(std::begin(kSessionOptionNames), std::end(kSessionOptionNames), name) !=
         std::end(kSessionOptionNames);
}

}  // namespace

Session::Session(PluginState& plugin, LoopContext& loop) : host_(plugin.host()), loop_(loop) {}

std::unique_ptr<Session> Session::create(PluginState& plugin, const lh_session_config& config,
                                         std::string& error) {
  const lh_host* host = plugin.host();
  for (size_t i = 0; i < config.option_count; ++i) {
    std::string_view key = view(config.options[i].key);
    if (!known_option(key)) {
      error = "grpc: unknown session option '" + std::string(key) +
              "' (known: proto, import-path, channel, channels, deadline, root-certs, tls-server-name, insecure)";
      return nullptr;
    }
  }
  // The session's own options win; the run options (command line) fill in.
  OptionLookup option = [&](std::string_view name) -> std::optional<std::string_view> {
    if (auto value = kit::session_option(config, name)) return value;
    return kit::run_option(*host, std::string(name).c_str());
  };

  std::unique_ptr<Session> s(new Session(plugin, plugin.loop_context(config.loop)));
  if (!parse_settings(view(config.base_url), option, s->settings_, error)) {
    error = "grpc: " + error;
    return nullptr;
  }
  if (!s->settings_.proto_files.empty()) {
    s->proto_schema_ = plugin.proto_schema(s->settings_.proto_files, s->settings_.import_paths, error);
    if (!s->proto_schema_) {
      error = "grpc: " + error;
      return nullptr;
    }
  }
  if (s->settings_.channel == ChannelMode::shared) {
    s->channel_ = s->loop_.shared_channel(channel_key(s->settings_), s->settings_.channels,
                                          [&] { return make_channel(s->settings_, error); });
  } else {
    s->channel_ = make_channel(s->settings_, error);
  }
  if (!s->channel_) {
    error = "grpc: " + error;
    return nullptr;
  }
  s->stub_ = std::make_unique<grpc::GenericStub>(s->channel_);
  s->user_class_.assign(view(config.user_class));
  if (!s->loop_.attach_session(error)) return nullptr;
  s->attached_ = true;
  return s;
}

Session::~Session() {
  while (!calls_.empty()) {  // the host cancelled them all already; in case not
    GrpcCall* call = calls_.back();
    calls_.pop_back();
    call->cancel();
  }
  stub_.reset();
  channel_.reset();
  if (attached_) loop_.detach_session();
}

void Session::start(lh_call* call, const lh_request& request) {
  GrpcCall* c = loop_.acquire_call();
  calls_.push_back(c);
  c->start(*this, call, request);
}

void Session::cancel(lh_call* call) {
  auto it = std::find_if(calls_.begin(), calls_.end(), [call](GrpcCall* c) { return c->handle() == call; });
  if (it == calls_.end()) return;
  GrpcCall* c = *it;
  calls_.erase(it);
  c->cancel();
}

void Session::abort(lh_call* call, const char* text) noexcept {
  auto it = std::find_if(calls_.begin(), calls_.end(), [call](GrpcCall* c) { return c->handle() == call; });
  if (it == calls_.end()) return;  // it completed before the exception
  GrpcCall* c = *it;
  calls_.erase(it);
  c->cancel();  // whatever gRPC still holds comes back and is only counted
  kit::complete_failed(*host_, call, text, grpc::StatusCode::INTERNAL);
}

void Session::forget(GrpcCall* call) {
  auto it = std::find(calls_.begin(), calls_.end(), call);
  if (it != calls_.end()) calls_.erase(it);
}

std::string Session::reflection_key(std::string_view service) const {
  return channel_key(settings_) + '\n' + std::string(service);
}

const MethodInfo* Session::method(const MethodName& name, const std::shared_ptr<const Schema>& schema,
                                  std::string& error) {
  for (const auto& m : methods_)
    if (m->schema == schema.get() && m->path == name.path) return &m->info;
  auto m = std::make_unique<CachedMethod>();
  if (!schema->find_method(name, m->info, error)) return nullptr;
  m->path = name.path;
  m->schema = schema.get();
  m->keep = schema;
  methods_.push_back(std::move(m));
  return &methods_.back()->info;
}

const std::vector<grpc::Slice>* Session::encode(const MethodInfo& method, CallKind kind, std::string_view body,
                                                std::string& error) {
  if (encoded_method_ == &method && encoded_body_ == body) return &encoded_;
  encoded_method_ = nullptr;
  encoded_.clear();
  if (streams_requests(kind)) {
    std::vector<std::string_view> parts;
    if (!split_json_messages(body, parts, error)) {
      error = "the request messages: " + error;
      return nullptr;
    }
    for (std::string_view part : parts) {
      if (!encode_json_message(*method.input, part, scratch_, error)) return nullptr;
      encoded_.emplace_back(scratch_);
    }
  } else {
    if (!encode_json_message(*method.input, body, scratch_, error)) return nullptr;
    encoded_.emplace_back(scratch_);
  }
  encoded_method_ = &method;
  encoded_body_.assign(body);
  return &encoded_;
}

}  // namespace loadhost::grpc_plugin
