// PluginLibrary: one loaded plugin — dlopen'ed (RTLD_NOW | RTLD_LOCAL, so two
// vendors' bundled libraries cannot collide), its entry checked, initialised,
// and on destruction deinitialised then unloaded.
#pragma once

#include <loadhost/loadhost.h>

#include <memory>
#include <string>

namespace loadhost::core {

class PluginLibrary {
 public:
  // Loads the file at `path`. On failure returns null and sets `error` to one
  // line naming the file and what to do.
  static std::unique_ptr<PluginLibrary> load(const std::string &path, const lh_host *host,
                                             std::string &error);
  // Wraps an entry linked into the host itself (the built-in quick user).
  static std::unique_ptr<PluginLibrary> builtin(const lh_entry *entry, std::string name,
                                                const lh_host *host, std::string &error);
  ~PluginLibrary();

  const std::string &path() const { return path_; }
  const lh_protocol_factory *protocols() const { return protocols_; }
  const lh_scenario *scenario() const { return scenario_; }

 private:
  PluginLibrary() = default;
  bool start(const lh_host *host, std::string &error);

  std::string path_;
  void *handle_ = nullptr;  // dlopen handle; null for built-ins
  const lh_entry *entry_ = nullptr;
  bool initialised_ = false;
  const lh_protocol_factory *protocols_ = nullptr;
  const lh_scenario *scenario_ = nullptr;
};

}  // namespace loadhost::core
