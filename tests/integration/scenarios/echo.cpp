// Drives the plain-C example plugin (examples/plugins/line_echo.c) through
// the generic client: the host base URL is lineecho://127.0.0.1:PORT.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Echo : User {
  Client client{"lineecho", std::string(option("host"))};
  Echo() { task(1, &Echo::send); }
  Task<> send() {
    auto r = co_await client.call("send", "echo", "ping " + std::to_string(random()() % 100));
    if (r.ok() && r.body().rfind("ping ", 0) != 0) throw std::runtime_error("echo answered: " + r.body());
  }
};

LOADHOST_SCENARIO(Echo);
