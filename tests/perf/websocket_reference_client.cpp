// The reference for tests/perf/websocket_vs_reference.sh: the least a
// websocketpp client can do to keep N echo round trips going — N
// connections on websocketpp's own Boost.Asio transport, each sending the
// next message as soon as the echo of the last arrives, a thread per core
// on one io_context, no stats beyond a count. loadhost's quick mode does
// the same round trips with users, stats and JSON on top.
//
//   websocket_reference_client --url ws://127.0.0.1:PORT/echo
//       [--connections 50] [--threads 2] [--duration 10] [--message hi]
//
// Prints "round_trips N seconds S round_trips/s R".
//
// Its masking keys come from where loadhost's do (masking_keys.hpp says
// why): with websocketpp's default — RDSEED for every frame — this client
// would measure the CPU's entropy source, not the protocol.
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <atomic>
#include <mutex>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "plugins/websocket/masking_keys.hpp"

// Locked: this client's threads share one endpoint.
struct SharedMaskingKeys {
  uint32_t operator()() {
    std::lock_guard<std::mutex> lock(mutex);
    return keys();
  }
  std::mutex mutex;
  loadhost::websocket::MaskingKeys keys;
};

struct ReferenceConfig : websocketpp::config::asio_client {
  typedef SharedMaskingKeys rng_type;
};

using Client = websocketpp::client<ReferenceConfig>;

int main(int argc, char **argv) {
  std::string url, message = "hi";
  int connections = 50, threads = 2;
  double duration = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char *value = argv[i + 1];
    if (flag == "--url") url = value;
    else if (flag == "--connections") connections = std::atoi(value);
    else if (flag == "--threads") threads = std::atoi(value);
    else if (flag == "--duration") duration = std::atof(value);
    else if (flag == "--message") message = value;
  }
  if (url.empty()) {
    std::fprintf(stderr, "usage: %s --url ws://HOST:PORT/PATH [--connections N] [--threads N] [--duration S]\n",
                 argv[0]);
    return 2;
  }

  Client client;
  client.clear_access_channels(websocketpp::log::alevel::all);
  client.clear_error_channels(websocketpp::log::elevel::all);
  client.init_asio();

  std::atomic<bool> measuring{false}, stopping{false};
  std::atomic<uint64_t> round_trips{0};
  std::atomic<int> open{0};
  // Each echo starts the next round trip on the same connection.
  client.set_open_handler([&](websocketpp::connection_hdl hdl) {
    ++open;
    client.send(hdl, message, websocketpp::frame::opcode::text);
  });
  client.set_message_handler([&](websocketpp::connection_hdl hdl, Client::message_ptr) {
    if (measuring) ++round_trips;
    if (!stopping) client.send(hdl, message, websocketpp::frame::opcode::text);
  });
  client.set_fail_handler([&](websocketpp::connection_hdl hdl) {
    std::fprintf(stderr, "connect failed: %s\n", client.get_con_from_hdl(hdl)->get_ec().message().c_str());
    std::exit(1);
  });

  std::vector<Client::connection_ptr> cons;
  for (int i = 0; i < connections; ++i) {
    websocketpp::lib::error_code ec;
    auto con = client.get_connection(url, ec);
    if (ec) {
      std::fprintf(stderr, "bad url %s: %s\n", url.c_str(), ec.message().c_str());
      return 1;
    }
    client.connect(con);
    cons.push_back(con);
  }
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back([&] { client.run(); });

  while (open < connections) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto start = std::chrono::steady_clock::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  measuring = false;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t n = round_trips;
  stopping = true;
  for (auto &con : cons) {
    websocketpp::lib::error_code ec;
    con->close(websocketpp::close::status::normal, "", ec);
  }
  client.stop();
  for (auto &t : pool) t.join();
  std::printf("round_trips %llu seconds %.3f round_trips/s %.0f\n", static_cast<unsigned long long>(n), seconds,
              n / seconds);
  return 0;
}
