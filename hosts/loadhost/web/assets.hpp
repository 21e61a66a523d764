// The web UI's files (page, script, style, Chart.js from Debian's
// libjs-chart.js), embedded into the binary at build time by
// embed_assets.cmake: the UI and the HTML report need no file beside the
// binary and no network.
#pragma once

#include <string_view>
#include <vector>

namespace loadhost::web {

struct Asset {
  std::string_view name;     // "index.html", "app.js", "chart.min.js"...
  std::string_view content;
};

const std::vector<Asset> &assets();

// The content of a named asset, or empty when there is none.
std::string_view asset(std::string_view name);
// Content-Type for an asset name, from its extension.
std::string_view content_type(std::string_view name);

}  // namespace loadhost::web
