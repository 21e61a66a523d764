#include "core/loader/plugin_registry.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

namespace loadhost::core {

namespace {

std::vector<std::string> split_schemes(const char *list) {
  std::vector<std::string> out;
  if (!list) return out;
  std::string_view s(list);
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

bool file_exists(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

PluginRegistry::~PluginRegistry() {
  protocols_.clear();
  while (!libraries_.empty()) libraries_.pop_back();  // reverse order of loading
}

std::string PluginRegistry::load(const std::string &path) {
  for (const auto &lib : libraries_)
    if (lib->path() == path) return "";  // already loaded
  std::string error;
  auto lib = PluginLibrary::load(path, host_, error);
  if (!lib) return error;
  return adopt(std::move(lib));
}

std::string PluginRegistry::add_builtin(const lh_entry *entry, std::string name) {
  std::string error;
  auto lib = PluginLibrary::builtin(entry, std::move(name), host_, error);
  if (!lib) return error;
  return adopt(std::move(lib));
}

std::string PluginRegistry::adopt(std::unique_ptr<PluginLibrary> lib) {
  std::vector<Registered> added;
  if (const lh_protocol_factory *factory = lib->protocols()) {
    for (uint32_t i = 0; i < factory->count; ++i) {
      const lh_protocol *p = factory->get(i);
      if (!p || !p->descriptor || !p->descriptor->id || !p->session_create ||
          !p->session_destroy || !p->call_start || !p->call_cancel)
        return fmt::format("plugin '{}': protocol #{} is incomplete (descriptor with id, "
                           "session_create/destroy, call_start/cancel are required)",
                           lib->path(), i);
      std::string id = p->descriptor->id;
      for (const auto &r : protocols_)
        if (r.id == id)
          return fmt::format("plugin '{}' provides protocol '{}', which '{}' already provides",
                             lib->path(), id, r.library);
      added.push_back(Registered{p, id, split_schemes(p->descriptor->url_schemes), lib->path()});
    }
  }
  if (lib->scenario()) {
    scenario_ = lib->scenario();
    scenario_source_ = lib->path();
  }
  for (auto &r : added) protocols_.push_back(std::move(r));
  libraries_.push_back(std::move(lib));
  return "";
}

const lh_protocol *PluginRegistry::protocol_by_id(std::string_view id) const {
  for (const auto &r : protocols_)
    if (r.id == id) return r.protocol;
  return nullptr;
}

const lh_protocol *PluginRegistry::protocol_by_scheme(std::string_view scheme) const {
  for (const auto &r : protocols_)
    for (const auto &s : r.schemes)
      if (s == scheme) return r.protocol;
  return nullptr;
}

std::string PluginRegistry::protocol_ids() const {
  std::string out;
  for (const auto &r : protocols_) out += (out.empty() ? "" : ", ") + r.id;
  return out.empty() ? "none" : out;
}

std::vector<const lh_protocol *> PluginRegistry::protocols() const {
  std::vector<const lh_protocol *> out;
  for (const auto &r : protocols_) out.push_back(r.protocol);
  return out;
}

std::string find_plugin(std::string_view name_or_path, const std::vector<std::string> &dirs) {
  std::string name(name_or_path);
  if (name.find('/') != std::string::npos || name.ends_with(".so")) return name;
  for (const auto &dir : dirs) {
    std::string candidate = dir + "/" + name + ".so";
    if (file_exists(candidate)) return candidate;
  }
  return "";
}

std::string PluginRegistry::library_of(std::string_view id) const {
  for (const Registered &r : protocols_)
    if (r.id == id) return r.library;
  return "";
}

}  // namespace loadhost::core
