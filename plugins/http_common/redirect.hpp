// The redirect rules both HTTP plugins follow, in one place so http1 and
// http2 cannot drift: which statuses redirect, how many hops, where the
// Location leads (RFC 3986 against the URL that answered), when the request
// becomes a GET without its body, and when credentials stay behind. What
// browsers and Python's requests (so Locust) do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::http_common {

// Hops followed before the call fails ("<protocol>: more than 10 redirects").
inline constexpr int kMaxRedirects = 10;

constexpr bool is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

enum class RedirectOutcome {
  answer,  // not a redirect to follow: the response is the call's answer
  follow,  // go on to `next_url` as the plan says
  fail,    // the call fails with `error`
};

struct RedirectPlan {
  bool becomes_get = false;       // 303 (not for HEAD), 301/302 after POST: GET, no body, no body headers
  bool drop_credentials = false;  // the next hop is another host: no Authorization
};

struct RedirectInput {
  std::string_view protocol;                 // "http1": starts error texts
  uint32_t request_flags = 0;                // LH_REQUEST_NO_REDIRECTS turns redirects off
  int status = 0;                            // the response's status
  std::optional<std::string_view> location;  // its Location header, if any
  std::string_view url;                      // the URL that answered
  std::string_view host;                     // its host (UrlView::host)
  std::string_view method;                   // the request's method
  int redirects_so_far = 0;
};

// Decides what a response does to the call. On `follow`, `next_url` holds
// the resolved absolute URL (it must not alias `in.url`) and `plan` what
// changes; on `fail`, `error` holds one line. Neither is touched on `answer`.
RedirectOutcome plan_redirect(const RedirectInput& in, std::string& next_url, RedirectPlan& plan,
                              std::string& error);

}  // namespace loadhost::http_common
