// gRPC channels as the settings ask for: plaintext for grpc://, TLS for
// grpcs:// (root certificates from a file or gRPC's defaults; with
// `insecure`, no verification of the server's certificate at all), and
// always a connection of the channel's own: load testing wants N users to
// mean N connections, not one shared behind gRPC's back.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "settings.hpp"

namespace loadhost::grpc_plugin {

// A new channel (it connects on first use). Null with a one-line reason in
// `error` (an unreadable root certificate file).
std::shared_ptr<grpc::Channel> make_channel(const Settings& settings, std::string& error);

// Sessions whose settings give the same key may share a channel.
std::string channel_key(const Settings& settings);

}  // namespace loadhost::grpc_plugin
