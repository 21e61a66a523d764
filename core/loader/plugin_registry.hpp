// PluginRegistry: every plugin the process loaded, the protocols they
// provide (by id and by URL scheme) and the scenario to run. Unloads in
// reverse order of loading.
#pragma once

#include <loadhost/loadhost.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/loader/plugin_library.hpp"

namespace loadhost::core {

class PluginRegistry {
 public:
  explicit PluginRegistry(const lh_host *host) : host_(host) {}
  ~PluginRegistry();

  // [control-thread] Each returns "" on success, else one line for the user.
  std::string load(const std::string &path);
  std::string add_builtin(const lh_entry *entry, std::string name);

  const lh_protocol *protocol_by_id(std::string_view id) const;
  const lh_protocol *protocol_by_scheme(std::string_view scheme) const;
  std::string protocol_ids() const;  // "http1, lineecho" for messages
  std::vector<const lh_protocol *> protocols() const;
  // The path of the library that provides protocol `id`, or "".
  std::string library_of(std::string_view id) const;

  // The scenario: the last one loaded wins (a -f scenario after the built-in).
  const lh_scenario *scenario() const { return scenario_; }
  const std::string &scenario_source() const { return scenario_source_; }

 private:
  std::string adopt(std::unique_ptr<PluginLibrary> lib);

  struct Registered {
    const lh_protocol *protocol;
    std::string id;
    std::vector<std::string> schemes;
    std::string library;
  };
  const lh_host *host_;
  std::vector<std::unique_ptr<PluginLibrary>> libraries_;
  std::vector<Registered> protocols_;
  const lh_scenario *scenario_ = nullptr;
  std::string scenario_source_;
};

// Where a plugin named by id ("grpc") or path ("./acme.so") is: a path is
// returned as is; an id is looked up as <dir>/<id>.so in `dirs`. Empty if
// not found.
std::string find_plugin(std::string_view name_or_path, const std::vector<std::string> &dirs);

}  // namespace loadhost::core
