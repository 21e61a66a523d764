// WebUi: the web UI's routes and live push, on top of HttpServer and the
// TestDriver — Locust's HTTP API (same routes, methods and JSON/CSV
// shapes, see locust/web.py 2.12), the page and its assets, the HTML
// report, Prometheus' /metrics, and the stats pushed once a second over
// the /ws WebSocket to every open page.
//
// Thread: the control thread, like the driver and the server.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "hosts/loadhost/test_driver.hpp"
#include "hosts/loadhost/web/http_server.hpp"

namespace loadhost::web {

class WebUi {
 public:
  WebUi(boost::asio::io_context &control, ServerConfig config, cli::TestDriver &driver,
        const lh_scenario &scenario, const cli::CliOptions &options);

  // Listens; returns "" or why not.
  std::string listen() { return server_.listen(); }
  std::string url() const { return server_.url(); }
  void close() { server_.close(); }

  // Sends the current figures to every open page (the driver calls it
  // after each tick and state change).
  void push();

 private:
  Response route(const Request &request);
  Response swarm(const Request &request);
  Response tasks(const Request &request) const;
  nlohmann::json info() const;
  nlohmann::json update() const;

  cli::TestDriver &driver_;
  const lh_scenario &scenario_;
  const cli::CliOptions &options_;
  HttpServer server_;
};

// Decodes an application/x-www-form-urlencoded body into (name, value)
// pairs, in order; '+' is a space, %XX a byte.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);

}  // namespace loadhost::web
