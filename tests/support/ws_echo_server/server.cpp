// loadhost-ws-echo-server: a real WebSocket server (websocketpp over
// Boost.Asio, one thread) for the websocket plugin's tests and benchmark.
//
//   loadhost-ws-echo-server [--port 0] [--tls-cert FILE --tls-key FILE]
//
// Prints "listening on 127.0.0.1:PORT" once it accepts. Paths:
//   /echo     every message comes back, same opcode; pings are ponged
//   /close    the first message gets no answer: the TCP connection is shut
//             down with no close frame (the client sees code 1006)
//   /missing  the handshake is refused with HTTP 404
//   /push?n=N on open, the server sends N text messages "push 1".."push N"
// Built as C++17: websocketpp 0.8.2 does not compile as C++20.
#include <websocketpp/config/asio.hpp>
#include <websocketpp/server.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

using websocketpp::connection_hdl;
namespace ssl = boost::asio::ssl;

// Reacts to one connection's events; the endpoint type is plain or TLS.
template <class Server>
void serve(Server &server) {
  server.clear_access_channels(websocketpp::log::alevel::all);
  server.clear_error_channels(websocketpp::log::elevel::all);
  server.set_reuse_addr(true);
  server.set_validate_handler([&server](connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    const std::string &path = con->get_resource();
    if (path == "/echo" || path == "/close" || path.rfind("/push", 0) == 0) {
      // Accept the first subprotocol the client offers, if any.
      const auto &offered = con->get_requested_subprotocols();
      if (!offered.empty()) con->select_subprotocol(offered.front());
      return true;
    }
    con->set_status(websocketpp::http::status_code::not_found);
    return false;
  });
  server.set_open_handler([&server](connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    const std::string &path = con->get_resource();
    if (path.rfind("/push?n=", 0) != 0) return;
    int n = std::atoi(path.c_str() + 8);
    for (int i = 1; i <= n; ++i) con->send("push " + std::to_string(i), websocketpp::frame::opcode::text);
  });
  server.set_message_handler([&server](connection_hdl hdl, typename Server::message_ptr msg) {
    auto con = server.get_con_from_hdl(hdl);
    if (con->get_resource() == "/close") {
      // Abrupt: no close frame, just the TCP connection going away.
      boost::system::error_code ignored;
      con->get_raw_socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
      return;
    }
    con->send(msg->get_payload(), msg->get_opcode());  // fails only once closing: nothing to do
  });
}

template <class Server>
int run(Server &server, unsigned short port) {
  websocketpp::lib::error_code ec;
  server.init_asio(ec);
  if (!ec) server.listen(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  if (!ec) server.start_accept(ec);
  if (ec) {
    std::fprintf(stderr, "ws-echo-server: cannot listen on 127.0.0.1:%u: %s\n", port, ec.message().c_str());
    return 1;
  }
  boost::system::error_code local_ec;
  auto local = server.get_local_endpoint(local_ec);
  std::printf("listening on 127.0.0.1:%u\n", unsigned(local.port()));
  std::fflush(stdout);
  server.run();
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  unsigned short port = 0;
  std::string cert, key;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port") port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    else if (flag == "--tls-cert") cert = argv[i + 1];
    else if (flag == "--tls-key") key = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--port N] [--tls-cert FILE --tls-key FILE]\n", argv[0]);
      return 2;
    }
  }
  try {
    if (cert.empty()) {
      websocketpp::server<websocketpp::config::asio> server;
      serve(server);
      return run(server, port);
    }
    websocketpp::server<websocketpp::config::asio_tls> server;
    serve(server);
    server.set_tls_init_handler([cert, key](connection_hdl) {
      auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
      ctx->use_certificate_chain_file(cert);
      ctx->use_private_key_file(key, ssl::context::pem);
      return ctx;
    });
    return run(server, port);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ws-echo-server: %s\n", e.what());
    return 1;
  }
}
