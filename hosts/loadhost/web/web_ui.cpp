#include "hosts/loadhost/web/web_ui.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "core/engine/clock.hpp"
#include "core/report/csv_writer.hpp"
#include "core/report/prometheus_text.hpp"
#include "core/runner/load_shape.hpp"
#include "hosts/loadhost/web/assets.hpp"
#include "hosts/loadhost/web/html_report.hpp"
#include "hosts/loadhost/web/stats_json.hpp"

namespace loadhost::web {

using nlohmann::json;

namespace {

// A standalone run's exceptions were all seen here (Locust's "Nodes").
constexpr std::string_view kNodes = "local";
// Rows pushed to the page each second, as Locust's page shows: a run with
// 100,000 names must not push megabytes a second. The CSV keeps them all.
constexpr size_t kMaxPushedRows = 500;

std::string_view path_of(const Request &r) {
  std::string_view target = r.target();
  return target.substr(0, target.find('?'));
}

std::string_view query_of(const Request &r) {
  std::string_view target = r.target();
  size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

Response respond(const Request &r, http::status status, std::string_view type, std::string body) {
  Response res{status, r.version()};
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

Response json_response(const Request &r, const json &value, http::status status = http::status::ok) {
  return respond(r, status, "application/json", json_text(value) + "\n");
}

// Locust's download names: requests_<unix time>.csv.
Response csv_download(const Request &r, std::string csv, std::string_view prefix) {
  Response res = respond(r, http::status::ok, "text/csv", std::move(csv));
  res.set(http::field::content_disposition, fmt::format("attachment;filename={}_{}.csv", prefix, core::unix_now()));
  return res;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += char(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<double> number(std::string_view text) {
  double v = 0;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

json swarm_answer(bool success, std::string message, const std::string &host) {
  return json{{"success", success}, {"message", std::move(message)}, {"host", host}};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> fields;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    size_t eq = pair.find('=');
    if (!pair.empty())
      fields.emplace_back(url_decode(pair.substr(0, eq)),
                          eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return fields;
}

WebUi::WebUi(boost::asio::io_context &control, ServerConfig config, cli::TestDriver &driver,
             const lh_scenario &scenario, const cli::CliOptions &options)
    : driver_(driver),
      scenario_(scenario),
      options_(options),
      server_(
          control, std::move(config), [this](const Request &r) { return route(r); },
          [this](const std::function<void(std::string)> &send) {
            send(json_text({{"type", "hello"}, {"info", info()}, {"history", history_json(driver_.history())}}));
            send(json_text(update()));
          }) {}

json WebUi::info() const {
  json classes = json::array();
  for (uint32_t i = 0; i < scenario_.class_count; ++i) {
    const lh_user_class *c = scenario_.classes[i];
    classes.push_back({{"name", c->name}, {"weight", c->weight}, {"fixed_count", c->fixed_count}});
  }
  cli::TestParameters d = driver_.defaults();
  std::string scenario = driver_.metadata().value("scenario", std::string());
  return json{{"version", LOADHOST_VERSION},
              {"scenario", scenario.substr(scenario.rfind('/') + 1)},
              {"host", d.host},
              {"classes", classes},
              {"users", d.users},
              {"spawn_rate", d.spawn_rate},
              {"run_time", d.run_time_s ? fmt::format("{:g}s", *d.run_time_s) : ""},
              {"is_shape", driver_.has_shape()},
              {"is_distributed", bool(driver_.workers)}};
}

json WebUi::update() const {
  const stats::StatsTable &table = driver_.stats();
  const report::HistoryPoint *last = driver_.history().last();
  json rows = live_rows(table, kMaxPushedRows);
  json run{{"state", driver_.state()},
           {"user_count", driver_.user_count()},
           {"total_rps", rows.back()["current_rps"]},
           {"fail_ratio", table.total().fail_ratio()},
           {"current_response_time_percentile_50", last && last->p50_ms ? json(*last->p50_ms) : json(nullptr)},
           {"current_response_time_percentile_95", last && last->p95_ms ? json(*last->p95_ms) : json(nullptr)},
           {"host", driver_.host()},
           {"entries", table.entry_count()}};
  json meta = driver_.metadata();
  run["started_at"] = meta["start_time"].get<double>() > 0 ? meta["start_time"] : json(nullptr);
  run["elapsed_s"] = meta["run_time_s"];
  return json{{"type", "update"},
              {"run", run},
              {"stats", std::move(rows)},
              {"failures", live_failures(table, kMaxPushedRows)},
              {"exceptions", live_exceptions(table, kNodes)},
              {"point", last ? point_json(*last) : json(nullptr)},
              {"workers", driver_.workers ? driver_.workers() : json::array()}};
}

void WebUi::push() { server_.broadcast(json_text(update())); }

Response WebUi::route(const Request &r) {
  std::string_view path = path_of(r);
  const bool get = r.method() == http::verb::get || r.method() == http::verb::head;
  auto only = [&](bool allowed) -> std::optional<Response> {
    if (allowed) return std::nullopt;
    Response res = respond(r, http::status::method_not_allowed, "text/plain", "method not allowed\n");
    res.set(http::field::allow, path == "/swarm" ? "POST" : "GET, HEAD");
    return res;
  };

  if (path == "/swarm") {
    if (auto refused = only(r.method() == http::verb::post)) return *refused;
    return swarm(r);
  }
  if (auto refused = only(get)) return *refused;
  const stats::StatsTable &table = driver_.stats();

  if (path == "/" || path == "/index.html") return respond(r, http::status::ok, content_type(".html"), std::string(asset("index.html")));
  if (path.starts_with("/assets/")) {
    std::string_view name = path.substr(8);
    std::string_view content = name == "report.html" ? std::string_view() : asset(name);
    if (content.empty()) return respond(r, http::status::not_found, "text/plain", "no such asset\n");
    Response res = respond(r, http::status::ok, content_type(name), std::string(content));
    res.set(http::field::cache_control, "max-age=3600");
    return res;
  }
  if (path == "/stop") {
    driver_.stop("stopped from the web UI");
    return json_response(r, {{"success", true}, {"message", "Test stopped"}});
  }
  if (path == "/stats/reset") {
    driver_.reset_stats();
    return respond(r, http::status::ok, "text/html; charset=utf-8", "ok");
  }
  if (path == "/stats/requests") {
    RunView view{driver_.state(), driver_.user_count(), driver_.history().last(),
                 driver_.workers ? driver_.workers() : json(nullptr)};
    return json_response(r, locust_stats_requests(table, view));
  }
  if (path == "/stats/requests/csv") return csv_download(r, report::stats_csv(table), "requests");
  if (path == "/stats/failures/csv") return csv_download(r, report::failures_csv(table), "failures");
  if (path == "/exceptions") return json_response(r, locust_exceptions(table, kNodes));
  if (path == "/exceptions/csv") return csv_download(r, report::exceptions_csv(table, kNodes), "exceptions");
  if (path == "/stats/requests_full_history/csv") {
    if (options_.csv_prefix.empty() || !options_.csv_full_history)
      return respond(r, http::status::not_found, "text/html; charset=utf-8",
                     "Error: Server was not started with option to generate full history.");
    std::ifstream file(options_.csv_prefix + "_stats_history.csv", std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return csv_download(r, text.str(), "requests_full_history");
  }
  if (path == "/stats/report") {
    json info = driver_.metadata();
    Response res = respond(r, http::status::ok, content_type(".html"), html_report(table, driver_.history(), info));
    if (query_of(r).find("download=") != std::string_view::npos)
      res.set(http::field::content_disposition, fmt::format("attachment;filename=report_{}.html", core::unix_now()));
    return res;
  }
  if (path == "/tasks") return tasks(r);
  if (path == "/metrics") {
    report::RunGauges run{driver_.user_count(), driver_.state()};
    return respond(r, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", report::prometheus_text(table, run));
  }
  return respond(r, http::status::not_found, "text/plain", fmt::format("no route {}\n", path));
}

Response WebUi::swarm(const Request &r) {
  std::optional<double> users, rate, run_time;
  std::string host;
  std::string bad;
  for (auto &[name, value] : parse_form(r.body())) {
    if (name == "user_count") {
      users = number(value);
      if (!users || *users < 0 || *users != std::floor(*users) || *users > 100'000'000)
        bad = fmt::format("user_count '{}' is not a whole number of users", value);
    } else if (name == "spawn_rate") {
      rate = number(value);
      if (!rate || *rate <= 0) bad = fmt::format("spawn_rate '{}' is not a number of users per second above 0", value);
    } else if (name == "host") {
      // As Locust: angle brackets go, so a host cannot carry markup.
      for (char c : value)
        if (c != '<' && c != '>') host += c;
    } else if (name == "run_time" && !value.empty()) {
      run_time = core::parse_duration(value);
      if (!run_time || *run_time <= 0)
        bad = "Valid run_time formats are : 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.";
    }
  }
  if (bad.empty() && !driver_.has_shape() && (!users || !rate)) bad = "user_count and spawn_rate are required";
  if (!bad.empty()) return json_response(r, swarm_answer(false, bad, driver_.host()));

  if (driver_.busy()) {
    if (driver_.has_shape()) return json_response(r, swarm_answer(false, "the load shape sets the user count", driver_.host()));
    driver_.set_target(uint32_t(*users), *rate);
    json answer = swarm_answer(true, "Swarming started", driver_.host());
    if (run_time) {  // Locust schedules the stop from now
      driver_.stop_after(*run_time);
      answer["run_time"] = *run_time;
    }
    return json_response(r, answer);
  }
  cli::TestParameters p = driver_.defaults();
  if (users) p.users = uint32_t(*users);
  if (rate) p.spawn_rate = *rate;
  p.run_time_s = run_time;
  if (!host.empty()) p.host = host;
  if (std::string e = driver_.start(p); !e.empty()) return json_response(r, swarm_answer(false, e, driver_.host()));
  json answer = swarm_answer(true, driver_.has_shape() ? "Swarming started using shape class" : "Swarming started",
                             driver_.host());
  if (run_time) answer["run_time"] = *run_time;
  return json_response(r, answer);
}

// Locust's /tasks: each class's share of the users spawned. The C ABI does
// not describe a class's tasks, so "tasks" is empty.
Response WebUi::tasks(const Request &r) const {
  std::vector<uint32_t> spawned = driver_.class_counts();
  uint64_t sum = 0;
  for (uint32_t n : spawned) sum += n;
  json per_class = json::object();
  for (uint32_t i = 0; i < scenario_.class_count; ++i)
    per_class[scenario_.classes[i]->name] = {{"ratio", double(spawned[i]) / double(sum ? sum : 1)},
                                             {"tasks", json::object()}};
  return json_response(r, {{"per_class", per_class}, {"total", per_class}});
}

}  // namespace loadhost::web
