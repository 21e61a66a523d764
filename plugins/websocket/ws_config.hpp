// The websocketpp configuration of the plugin: the I/O-agnostic iostream
// transport (bytes in through connection::read_some, bytes out through a
// write handler), so the host's connection carries the frames and
// everything runs on the session's loop thread. Hence no locks either.
//
// websocketpp 0.8.2 does not compile as C++20 with GCC 12: every file that
// includes this header is built as C++17 (the C ABI keeps that invisible).
#pragma once

#include <websocketpp/client.hpp>
#include <websocketpp/concurrency/none.hpp>
#include <websocketpp/config/core_client.hpp>

#include "masking_keys.hpp"

namespace loadhost::websocket {

struct LoopThreadClientConfig : websocketpp::config::core_client {
  typedef LoopThreadClientConfig type;
  typedef websocketpp::concurrency::none concurrency_type;
  typedef websocketpp::log::basic<concurrency_type, websocketpp::log::elevel> elog_type;
  typedef websocketpp::log::basic<concurrency_type, websocketpp::log::alevel> alog_type;
  typedef MaskingKeys rng_type;  // masking_keys.hpp: not RDSEED per frame
  static bool const enable_multithreading = false;

  struct transport_config : core_client::transport_config {
    typedef type::concurrency_type concurrency_type;
    typedef type::elog_type elog_type;
    typedef type::alog_type alog_type;
    static bool const enable_multithreading = false;
  };
  typedef websocketpp::transport::iostream::endpoint<transport_config> transport_type;
};

using WsClient = websocketpp::client<LoopThreadClientConfig>;
using WsConnection = WsClient::connection_type;
using WsMessage = WsClient::message_ptr;

}  // namespace loadhost::websocket
