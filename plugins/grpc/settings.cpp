#include "settings.hpp"

#include <charconv>
#include <cmath>

namespace loadhost::grpc_plugin {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_true(std::string_view v) { return v == "1" || v == "true" || v == "yes" || v == "on"; }

// "host:port" from the authority of the URL, with the scheme's default port.
bool parse_authority(std::string_view authority, bool tls, std::string& target, std::string& error) {
  if (authority.empty()) {
    error = "the URL has no host (expected grpc://HOST:PORT)";
    return false;
  }
  size_t host_end = authority.front() == '[' ? authority.find(']') : authority.rfind(':');
  if (authority.front() == '[') {
    if (host_end == std::string_view::npos) {
      error = "unclosed '[' in the URL's host";
      return false;
    }
    host_end += 1;
    if (host_end < authority.size() && authority[host_end] != ':') {
      error = "unexpected text after the URL's IPv6 host";
      return false;
    }
  }
  std::string_view host = authority.substr(0, host_end);
  std::string_view port_text =
      host_end < authority.size() ? authority.substr(host_end + 1) : std::string_view();
  unsigned port = tls ? 443 : 80;
  if (host_end != std::string_view::npos && host_end < authority.size()) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      error = "the URL's port '" + std::string(port_text) + "' is not a number from 1 to 65535";
      return false;
    }
  }
  if (host.empty()) {
    error = "the URL has no host (expected grpc://HOST:PORT)";
    return false;
  }
  target = std::string(host) + ":" + std::to_string(port);
  return true;
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t sep = text.find_first_of(",\n");
    std::string_view item = trim(text.substr(0, sep));
    if (!item.empty()) out.emplace_back(item);
    if (sep == std::string_view::npos) break;
    text.remove_prefix(sep + 1);
  }
  return out;
}

bool parse_metadata_lines(std::string_view text, std::vector<std::pair<std::string, std::string>>& out,
                          std::string& error) {
  out.clear();
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    if (!line.empty()) {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        error = "metadata '" + std::string(line) + "' is not KEY:VALUE";
        return false;
      }
      out.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return true;
}

bool parse_duration_us(std::string_view text, uint64_t& us) {
  text = trim(text);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || !(value > 0) || !std::isfinite(value)) return false;
  std::string_view unit(end, size_t(text.data() + text.size() - end));
  double scale;
  if (unit.empty() || unit == "s") scale = 1e6;
  else if (unit == "ms") scale = 1e3;
  else if (unit == "us") scale = 1;
  else if (unit == "m") scale = 60e6;
  else return false;
  double result = value * scale;
  if (result < 1 || result > 1e15) return false;
  us = uint64_t(result);
  return true;
}

bool parse_settings(std::string_view base_url, const OptionLookup& option, Settings& out,
                    std::string& error) {
  out = Settings{};
  std::string_view rest;
  if (base_url.starts_with("grpc://")) {
    rest = base_url.substr(7);
  } else if (base_url.starts_with("grpcs://")) {
    rest = base_url.substr(8);
    out.tls = true;
  } else {
    error = base_url.empty() ? "no server to call: give a grpc://HOST:PORT URL (-H/--host, or the quick-mode URL)"
                             : "'" + std::string(base_url) + "' is not a grpc:// or grpcs:// URL";
    return false;
  }
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos && rest.find_first_not_of('/', slash) != std::string_view::npos) {
    error = "'" + std::string(base_url) + "': a gRPC URL has no path (the method is each call's target)";
    return false;
  }
  if (!parse_authority(rest.substr(0, slash), out.tls, out.target, error)) {
    error = "'" + std::string(base_url) + "': " + error;
    return false;
  }

  if (auto v = option("proto")) out.proto_files = split_list(*v);
  if (auto v = option("import-path")) out.import_paths = split_list(*v);
  if (auto v = option("root-certs")) out.root_certs_file = std::string(trim(*v));
  if (auto v = option("tls-server-name")) out.tls_server_name = std::string(trim(*v));
  if (auto v = option("insecure")) out.tls_verify = !is_true(trim(*v));
  if (auto v = option("channel")) {
    std::string_view mode = trim(*v);
    if (mode == "per-user") out.channel = ChannelMode::per_user;
    else if (mode == "shared") out.channel = ChannelMode::shared;
    else {
      error = "channel '" + std::string(mode) + "' is not per-user or shared";
      return false;
    }
  }
  if (auto v = option("channels")) {
    std::string_view n = trim(*v);
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), out.channels);
    if (ec != std::errc() || end != n.data() + n.size() || out.channels == 0 || out.channels > 1024) {
      error = "channels '" + std::string(n) + "' is not a number from 1 to 1024";
      return false;
    }
  }
  if (auto v = option("deadline"); v && !trim(*v).empty()) {
    if (!parse_duration_us(*v, out.deadline_us)) {
      error = "deadline '" + std::string(trim(*v)) + "' is not a duration like 500ms or 2s";
      return false;
    }
  }
  return true;
}

}  // namespace loadhost::grpc_plugin
