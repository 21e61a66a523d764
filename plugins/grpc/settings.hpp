// What a gRPC session is configured with, read from its base URL, its
// session options (a scenario's Client::set_option) and, for anything those
// leave unset, the run options (the plugin's command-line flags, through
// lh_host.option): so `--proto x.proto` serves quick mode and scenarios alike.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost::grpc_plugin {

enum class ChannelMode {
  per_user,  // each user its own channel and connection (like ghz -c N)
  shared,    // the users of a loop share a pool of `channels` channels
};

struct Settings {
  std::string target;           // gRPC target: "127.0.0.1:50051"
  bool tls = false;             // grpcs://
  bool tls_verify = true;       // false with `insecure`
  std::string root_certs_file;  // PEM roots; empty = gRPC's default roots
  std::string tls_server_name;  // name the certificate must carry; empty = host
  std::vector<std::string> proto_files;   // empty = ask the server (reflection)
  std::vector<std::string> import_paths;  // where imports of proto_files are found
  ChannelMode channel = ChannelMode::per_user;
  uint32_t channels = 1;        // size of the shared pool
  uint64_t deadline_us = 0;     // deadline of calls without a timeout; 0 = none
};

// The session option names this plugin knows.
inline constexpr std::string_view kSessionOptionNames[] = {
    "proto", "import-path", "channel", "channels", "deadline", "root-certs", "tls-server-name", "insecure",
};

// Looks an option up by name: the session's value, else the run option;
// nullopt when neither is set.
using OptionLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// Fills `out` from `base_url` ("grpc://host:port", "grpcs://host[:port]",
// parsed by the plugin kit) and the options, read with the kit's option
// reader (its words for booleans and durations, its error format). Returns
// false with a one-line reason naming the input at fault in `error`
// (without the "grpc: " the caller adds).
bool parse_settings(std::string_view base_url, const OptionLookup& option, Settings& out,
                    std::string& error);

}  // namespace loadhost::grpc_plugin
