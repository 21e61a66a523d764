#include "redirect.hpp"

#include "http_text.hpp"
#include "loadhost/call.h"
#include "url.hpp"

namespace loadhost::http_common {

RedirectOutcome plan_redirect(const RedirectInput& in, std::string& next_url, RedirectPlan& plan,
                              std::string& error) {
  if ((in.request_flags & LH_REQUEST_NO_REDIRECTS) != 0) return RedirectOutcome::answer;
  if (!is_redirect_status(in.status)) return RedirectOutcome::answer;
  if (!in.location) return RedirectOutcome::answer;  // nowhere to go: the 3xx is the answer

  if (in.redirects_so_far >= kMaxRedirects) {
    error.assign(in.protocol).append(": more than ").append(std::to_string(kMaxRedirects)).append(" redirects");
    return RedirectOutcome::fail;
  }
  const char* why = "";
  if (!resolve_reference(next_url, in.url, *in.location, &why)) {
    error.assign(in.protocol).append(": redirect to invalid URL \"").append(*in.location).append("\": ").append(why);
    return RedirectOutcome::fail;
  }
  UrlView next;
  parse_url(next_url, next, &why);  // validated by resolve_reference
  plan.becomes_get = (in.status == 303 && in.method != "HEAD") ||
                     ((in.status == 301 || in.status == 302) && in.method == "POST");
  // Credentials are for the host they were written for.
  plan.drop_credentials = !iequals(next.host, in.host);
  return RedirectOutcome::follow;
}

}  // namespace loadhost::http_common
