#include "session_options.hpp"

#include <algorithm>

#include "http_text.hpp"
#include "loadhost/kit/option_reader.hpp"
#include "url.hpp"

namespace loadhost::http_common {
namespace {

constexpr std::string_view kUserAgent = "loadhost/0.1";
constexpr std::string_view kHeaderOptionPrefix = "header.";

}  // namespace

bool read_session_options(const lh_host &host, const lh_session_config &config, std::string_view protocol,
                          std::string_view user_agent_name, SessionOptions &out, std::string &error) {
  const std::string_view base = view(config.base_url);
  if (!base.empty()) {
    UrlView url;
    const char *why = "";
    if (!parse_url(base, url, &why)) {
      error.assign(protocol).append(": invalid base URL \"").append(base).append("\": ").append(why);
      return false;
    }
    // Only the origin and path are kept (a query or fragment there would be
    // nonsense once a path is appended).
    out.base.assign(url.origin).append(url.path);
    while (out.base.size() > url.origin.size() && out.base.back() == '/') out.base.pop_back();
  }

  // The run option is a flag (--insecure): present means on unless "false".
  kit::OptionReader reader(protocol);
  bool insecure = false;
  if (const auto run_insecure = kit::run_option(host, "insecure"))
    insecure = kit::parse_bool(*run_insecure) != false;

  out.default_headers.push_back({std::string(user_agent_name), std::string(kUserAgent)});
  for (size_t i = 0; i < config.option_count; ++i) {
    const std::string_view key = view(config.options[i].key);
    const std::string_view value = view(config.options[i].value);
    if (key == "insecure") {
      bool session_insecure = false;
      if (!reader.flag(key, value, session_insecure)) {  // "insecure" alone means on, as --insecure
        error = reader.error();
        return false;
      }
      insecure = insecure || session_insecure;
    } else if (key.starts_with(kHeaderOptionPrefix)) {
      const std::string_view name = key.substr(kHeaderOptionPrefix.size());
      if (!valid_header(name, value)) {
        reader.fail(key, value, "a valid header (token name, no CR/LF in the value)");
        error = reader.error();
        return false;
      }
      auto same = std::find_if(out.default_headers.begin(), out.default_headers.end(),
                               [&](const Header &h) { return iequals(h.name, name); });
      if (same != out.default_headers.end())
        same->value.assign(value);
      else
        out.default_headers.push_back({std::string(name), std::string(value)});
    }
  }
  out.tls_verify = !insecure;
  return true;
}

}  // namespace loadhost::http_common
