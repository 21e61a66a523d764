#include "hosts/loadhost/web/assets.hpp"

namespace loadhost::web {

std::string_view asset(std::string_view name) {
  for (const Asset &a : assets())
    if (a.name == name) return a.content;
  return {};
}

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace loadhost::web
