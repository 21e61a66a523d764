#include "settings.hpp"

#include "loadhost/kit/option_reader.hpp"
#include "loadhost/kit/url.hpp"

namespace loadhost::grpc_plugin {

namespace {

// Default ports when the URL has none: gRPC's own convention is to name one,
// so these are HTTP/2's (the port it runs on when a proxy fronts it).
constexpr kit::SchemePort kGrpcSchemes[] = {{"grpc", 80}, {"grpcs", 443}};

std::vector<std::string> strings(const std::vector<std::string_view>& views) {
  return std::vector<std::string>(views.begin(), views.end());
}

}  // namespace

bool parse_settings(std::string_view base_url, const OptionLookup& option, Settings& out,
                    std::string& error) {
  out = Settings{};
  if (base_url.empty()) {
    error = "no server to call: give a grpc://HOST:PORT URL (-H/--host, or the quick-mode URL)";
    return false;
  }
  kit::Url url;
  if (const char* why = kit::parse_url(base_url, kGrpcSchemes, url)) {
    error = "'" + std::string(base_url) + "' is not a " + kit::scheme_list(kGrpcSchemes) + " URL: " + why;
    return false;
  }
  if (url.has_userinfo) {
    error = "'" + std::string(base_url) + "': credentials in the URL are not supported (send them as metadata)";
    return false;
  }
  if (url.path.find_first_not_of('/') != std::string_view::npos || !url.query.empty()) {
    error = "'" + std::string(base_url) + "': a gRPC URL has no path (the method is each call's target)";
    return false;
  }
  out.tls = url.scheme == "grpcs";
  out.target = std::string(url.authority_host) + ":" + std::to_string(url.port);

  kit::OptionReader reader("");
  if (auto v = option("proto")) out.proto_files = strings(kit::split_list(*v));
  if (auto v = option("import-path")) out.import_paths = strings(kit::split_list(*v));
  if (auto v = option("root-certs")) out.root_certs_file = std::string(kit::trim(*v));
  if (auto v = option("tls-server-name")) out.tls_server_name = std::string(kit::trim(*v));
  if (auto v = option("insecure")) {
    bool insecure = false;
    reader.flag("insecure", *v, insecure);  // "insecure" alone means on, as --insecure
    out.tls_verify = !insecure;
  }
  if (auto v = option("channel")) {
    const std::string_view mode = kit::trim(*v);
    if (mode == "per-user") out.channel = ChannelMode::per_user;
    else if (mode == "shared") out.channel = ChannelMode::shared;
    else reader.fail("channel", mode, "per-user or shared");
  }
  if (auto v = option("channels")) reader.number("channels", *v, out.channels, 1, 1024);
  if (auto v = option("deadline"); v && !kit::trim(*v).empty()) reader.duration_us("deadline", *v, out.deadline_us);
  error = reader.error();
  return reader.ok();
}

}  // namespace loadhost::grpc_plugin
