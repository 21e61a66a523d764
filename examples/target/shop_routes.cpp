#include "shop_routes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::demo {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;

constexpr std::string_view kHomePage =
    "<!doctype html>\n<html><head><title>loadhost demo shop</title></head><body>\n"
    "<h1>loadhost demo shop</h1>\n"
    "<p><a href=\"/items/1\">item 1</a> <a href=\"/cart\">cart</a></p>\n"
    "</body></html>\n";

RouteReply reply(http::status status, std::string_view content_type, std::string body) {
  HttpResponse response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return RouteReply{std::move(response)};
}

RouteReply json_reply(http::status status, const json &body) {
  return reply(status, "application/json", body.dump());
}

RouteReply text_reply(http::status status, std::string body) {
  return reply(status, "text/plain", std::move(body));
}

RouteReply error_reply(http::status status, std::string_view message) {
  return json_reply(status, json{{"error", message}});
}

// The path without its query string.
std::string_view path_of(const HttpRequest &request) {
  std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The value of cookie `name` in the request's Cookie headers.
std::optional<std::string> cookie(const HttpRequest &request, std::string_view name) {
  auto [first, last] = request.equal_range(http::field::cookie);
  for (auto field = first; field != last; ++field) {
    std::string_view rest = field->value();
    while (!rest.empty()) {
      std::string_view pair = rest.substr(0, rest.find(';'));
      rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
        return std::string(pair.substr(name.size() + 1));
      }
    }
  }
  return std::nullopt;
}

// application/x-www-form-urlencoded decoding of one value.
std::string form_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      unsigned value = 0;
      auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec == std::errc{} && end == text.data() + i + 3) {
        out += static_cast<char>(value);
        i += 2;
      } else {
        out += '%';
      }
    } else {
      out += text[i];
    }
  }
  return out;
}

// `username` from a JSON body ({"username": "..."}) or a form body
// (username=...&password=...).
std::string username_of(const HttpRequest &request) {
  std::string_view body = request.body();
  if (request[http::field::content_type].starts_with("application/json")) {
    json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object() && parsed.contains("username") && parsed["username"].is_string()) {
      return parsed["username"].get<std::string>();
    }
    return {};
  }
  while (!body.empty()) {
    std::string_view pair = body.substr(0, body.find('&'));
    body.remove_prefix(std::min(body.size(), pair.size() + 1));
    if (pair.starts_with("username=")) return form_decode(pair.substr(9));
  }
  return {};
}

json cart_json(const Cart &cart) {
  json items = json::array();
  std::uint64_t count = 0;
  for (const auto &[item, quantity] : cart.quantities) {
    items.push_back({{"item", item}, {"quantity", quantity}});
    count += quantity;
  }
  return {{"user", cart.user}, {"items", std::move(items)}, {"count", count}};
}

json item_json(int id) {
  // Deterministic made-up data, so responses are stable across runs.
  return {{"id", id}, {"name", "Item " + std::to_string(id)},
          {"price_cents", 100 + (id * 7919) % 9900}};
}

RouteReply method_not_allowed(std::string_view allow) {
  RouteReply r = error_reply(http::status::method_not_allowed, "method not allowed");
  r.response.set(http::field::allow, allow);
  return r;
}

}  // namespace

ShopRoutes::ShopRoutes(std::uint64_t seed) : random_(seed), carts_(seed) {}

RouteReply ShopRoutes::handle(const HttpRequest &request) {
  const std::string_view path = path_of(request);
  const http::verb method = request.method();
  const bool get = method == http::verb::get || method == http::verb::head;

  if (path == "/") {
    if (!get) return method_not_allowed("GET");
    return reply(http::status::ok, "text/html; charset=utf-8", std::string(kHomePage));
  }
  if (path == "/login") {
    if (method != http::verb::post) return method_not_allowed("POST");
    return login(request);
  }
  if (path.starts_with("/items/")) {
    if (!get) return method_not_allowed("GET");
    std::optional<int> id = parse_int(path.substr(7));
    if (!id || *id < 1 || *id > kItemCount) return error_reply(http::status::not_found, "no such item");
    return json_reply(http::status::ok, item_json(*id));
  }
  if (path == "/cart") {
    if (method == http::verb::post) return add_to_cart(request);
    if (get) return show_cart(request);
    return method_not_allowed("GET, POST");
  }
  if (path == "/slow") return get ? slow() : method_not_allowed("GET");
  if (path == "/flaky") return get ? flaky() : method_not_allowed("GET");
  if (path == "/redirect") {
    if (!get) return method_not_allowed("GET");
    RouteReply r = text_reply(http::status::found, "see /\n");
    r.response.set(http::field::location, "/");
    return r;
  }
  if (path == "/health") return get ? text_reply(http::status::ok, "ok") : method_not_allowed("GET");
  return error_reply(http::status::not_found, "no such page");
}

RouteReply ShopRoutes::login(const HttpRequest &request) {
  const std::string user = username_of(request);
  if (user.empty()) return error_reply(http::status::bad_request, "missing username");
  const std::string session = carts_.open_session(user);
  RouteReply r = json_reply(http::status::ok, json{{"user", user}});
  r.response.set(http::field::set_cookie, "session=" + session + "; Path=/; HttpOnly");
  return r;
}

RouteReply ShopRoutes::add_to_cart(const HttpRequest &request) {
  std::optional<std::string> session = cookie(request, "session");
  if (!session) return error_reply(http::status::unauthorized, "log in first (POST /login)");
  json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("item") || !body["item"].is_number_integer()) {
    return error_reply(http::status::bad_request, "body must be {\"item\": id}");
  }
  const auto item = body["item"].get<std::int64_t>();
  if (item < 1 || item > kItemCount) return error_reply(http::status::bad_request, "no such item");
  std::optional<Cart> cart = carts_.add(*session, static_cast<int>(item));
  if (!cart) return error_reply(http::status::unauthorized, "session expired, log in again");
  return json_reply(http::status::ok, cart_json(*cart));
}

RouteReply ShopRoutes::show_cart(const HttpRequest &request) {
  std::optional<std::string> session = cookie(request, "session");
  if (!session) return error_reply(http::status::unauthorized, "log in first (POST /login)");
  std::optional<Cart> cart = carts_.find(*session);
  if (!cart) return error_reply(http::status::unauthorized, "session expired, log in again");
  return json_reply(http::status::ok, cart_json(*cart));
}

RouteReply ShopRoutes::slow() {
  std::uniform_int_distribution<int> delay_ms(100, 300);
  int delay = 0;
  {
    std::lock_guard lock(random_mutex_);
    delay = delay_ms(random_);
  }
  RouteReply r = text_reply(http::status::ok, "slow " + std::to_string(delay) + " ms\n");
  r.delay = std::chrono::milliseconds(delay);
  return r;
}

RouteReply ShopRoutes::flaky() {
  std::bernoulli_distribution fails(0.1);
  bool failed = false;
  {
    std::lock_guard lock(random_mutex_);
    failed = fails(random_);
  }
  if (failed) return text_reply(http::status::internal_server_error, "flaky failure\n");
  return text_reply(http::status::ok, "ok");
}

}  // namespace loadhost::demo
