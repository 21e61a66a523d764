// loadhost-demo-target: the bundled server that examples and tests load.
//
//   loadhost-demo-target [--port P] [--echo-port P] [--threads N] [--seed S]
//
// Binds 127.0.0.1 only. Port 0 picks a free port. When ready it prints
// `listening on 127.0.0.1:PORT` (and `echo listening on 127.0.0.1:PORT` when
// --echo-port is given), then serves until SIGINT or SIGTERM.
#include "http_server.hpp"
#include "line_echo_server.hpp"
#include "shop_routes.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "usage: loadhost-demo-target [--port P] [--echo-port P] [--threads N] [--seed S]\n"
    "  --port P       HTTP port on 127.0.0.1 (default 8080; 0 = a free port)\n"
    "  --echo-port P  also serve the line-echo protocol on P (0 = a free port)\n"
    "  --threads N    threads serving connections (default 1)\n"
    "  --seed S       seed of /slow delays and /flaky failures (default 1)\n";

struct Options {
  std::uint16_t port = 8080;
  std::optional<std::uint16_t> echo_port;
  unsigned threads = 1;
  std::uint64_t seed = 1;
};

template <typename Int>
bool parse_number(std::string_view text, Int min, Int max, Int &out) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

// Returns the options, or nullopt after printing what is wrong.
std::optional<Options> parse_options(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::cerr << "loadhost-demo-target: " << flag << " needs a value\n" << kUsage;
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    bool ok = false;
    if (flag == "--port") {
      ok = parse_number<std::uint16_t>(value, 0, 65535, options.port);
    } else if (flag == "--echo-port") {
      std::uint16_t port = 0;
      ok = parse_number<std::uint16_t>(value, 0, 65535, port);
      options.echo_port = port;
    } else if (flag == "--threads") {
      ok = parse_number<unsigned>(value, 1, 1024, options.threads);
    } else if (flag == "--seed") {
      ok = parse_number<std::uint64_t>(value, 0, UINT64_MAX, options.seed);
    } else {
      std::cerr << "loadhost-demo-target: unknown option " << flag << "\n" << kUsage;
      return std::nullopt;
    }
    if (!ok) {
      std::cerr << "loadhost-demo-target: bad value '" << value << "' for " << flag << "\n";
      return std::nullopt;
    }
  }
  return options;
}

}  // namespace

int main(int argc, char **argv) {
  std::optional<Options> options = parse_options(argc, argv);
  if (!options) return 2;

  using namespace loadhost::demo;
  boost::asio::io_context ioc(static_cast<int>(options->threads));
  ShopRoutes routes(options->seed);
  std::optional<HttpServer> http;
  std::optional<LineEchoServer> echo;
  try {
    http.emplace(ioc, options->port,
                 [&routes](const HttpRequest &request) { return routes.handle(request); });
    if (options->echo_port) echo.emplace(ioc, *options->echo_port);
  } catch (const boost::system::system_error &e) {
    std::cerr << "loadhost-demo-target: cannot listen on 127.0.0.1: " << e.what()
              << " (pick another --port / --echo-port, or 0 for a free one)\n";
    return 1;
  }

  // SIGINT / SIGTERM stop the loop; the servers' connections die with it.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&ioc](const boost::system::error_code &, int) { ioc.stop(); });

  http->start();
  if (echo) echo->start();
  // Tests and scripts wait for these lines: print them only once bound.
  std::cout << "listening on 127.0.0.1:" << http->port() << std::endl;
  if (echo) std::cout << "echo listening on 127.0.0.1:" << echo->port() << std::endl;

  std::vector<std::jthread> extra_threads;
  for (unsigned i = 1; i < options->threads; ++i) extra_threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  return 0;
}
