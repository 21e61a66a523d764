#include "hosts/loadhost/web/html_report.hpp"

#include <fmt/format.h>

#include <map>

#include "hosts/loadhost/web/assets.hpp"
#include "hosts/loadhost/web/stats_json.hpp"

namespace loadhost::web {

namespace {

// Replaces each {{token}} of the template once, scanning only the template:
// inlined content (Chart.js, the data) is never searched for tokens.
std::string fill(std::string_view page, const std::map<std::string, std::string_view, std::less<>> &values) {
  std::string out;
  out.reserve(page.size() + 512 * 1024);
  size_t at = 0;
  while (at < page.size()) {
    size_t open = page.find("{{", at);
    size_t close = open == std::string_view::npos ? open : page.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    auto it = values.find(page.substr(open + 2, close - open - 2));
    if (it == values.end()) {  // not a token of ours: keep the braces
      out.append(page.substr(at, open + 2 - at));
      at = open + 2;
      continue;
    }
    out.append(page.substr(at, open - at));
    out.append(it->second);
    at = close + 2;
  }
  out.append(page.substr(at));
  return out;
}

// A <script> element's text must not contain "</script": inlined scripts
// are ours and Debian's, but check rather than trust.
std::string inline_script(std::string_view code) {
  std::string out(code);
  for (size_t at = out.find("</script"); at != std::string::npos; at = out.find("</script", at + 2))
    out.replace(at, 2, "<\\/");
  return out;
}

}  // namespace

std::string html_report(const stats::StatsTable &table, const report::RunHistory &history,
                        const nlohmann::json &info, std::string_view nodes) {
  nlohmann::json header = info;  // the JSON report's metadata, plus what the page names
  header["version"] = info.value("loadhost_version", std::string());
  if (!header.contains("workers")) header["workers"] = 0;
  nlohmann::json data{{"info", header},
                      {"stats", report_rows(table)},
                      {"failures", live_failures(table)},
                      {"exceptions", live_exceptions(table, nodes)},
                      {"history", history_json(history)}};
  std::string scenario = info.value("scenario", std::string());
  std::string title = html_escape(fmt::format("loadhost report{}{}", scenario.empty() ? "" : ": ", scenario));
  std::string data_text = json_for_script(data);
  std::string chart_js = inline_script(asset("chart.min.js"));
  std::string render_js = inline_script(asset("render.js"));
  std::string report_js = inline_script(asset("report.js"));
  return fill(asset("report.html"), {{"title", title},
                                     {"style", asset("style.css")},
                                     {"chart_js", chart_js},
                                     {"render_js", render_js},
                                     {"report_js", report_js},
                                     {"data", data_text}});
}

report::WriteResult write_html_report(const std::string &path, const stats::StatsTable &table,
                                      const report::RunHistory &history, const nlohmann::json &info) {
  return report::write_file_atomically(path, html_report(table, history, info));
}

}  // namespace loadhost::web
