// Quick mode: `loadhost --headless -u 50 -t 10s http://127.0.0.1:8080/path`
// runs this built-in scenario — one user class that requests the URL in a
// loop with no wait, like wrk. It is written with the same SDK as any
// scenario and linked into the host under its own entry symbol.
#include <loadhost/loadhost.hpp>

namespace {

using namespace loadhost;

struct QuickUser : HttpUser {
  static constexpr const char *name = "QuickUser";

  QuickUser() {
    std::string url(option("quick-url"));
    method_ = std::string(option("quick-method"));
    if (method_.empty()) method_ = "GET";
    // Split "http://host:port/path?q" into the origin (the session's base
    // URL) and the target.
    size_t scheme_end = url.find("://");
    size_t path_start = scheme_end == std::string::npos ? 0 : url.find('/', scheme_end + 3);
    if (path_start == std::string::npos) {
      client.set_base_url(url);
      target_ = "/";
    } else {
      client.set_base_url(url.substr(0, path_start));
      target_ = url.substr(path_start);
    }
    task(1, &QuickUser::hit);
  }

  Task<> hit() {
    // The body is counted, not kept: quick mode measures, it does not look.
    co_await client.request(method_, target_, {}, {.discard_body = true});
  }

  std::string method_;
  std::string target_;
};

}  // namespace

LOADHOST_SCENARIO_ENTRY(loadhost_quick_entry, QuickUser);
