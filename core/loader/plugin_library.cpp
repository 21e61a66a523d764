#include "core/loader/plugin_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/stat.h>

namespace loadhost::core {

std::unique_ptr<PluginLibrary> PluginLibrary::load(const std::string &path, const lh_host *host,
                                                   std::string &error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = fmt::format("plugin '{}': no such file", path);
    return nullptr;
  }
  std::unique_ptr<PluginLibrary> lib(new PluginLibrary());
  lib->path_ = path;
  // RTLD_NOW: a missing symbol fails here, with the loader's message, not in
  // the middle of a test. RTLD_LOCAL: the plugin's libraries stay its own.
  lib->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle_) {
    const char *why = dlerror();
    error = fmt::format("plugin '{}' cannot be loaded: {}", path, why ? why : "unknown error");
    return nullptr;
  }
  lib->entry_ = static_cast<const lh_entry *>(dlsym(lib->handle_, LH_ENTRY_SYMBOL));
  if (!lib->entry_) {
    error = fmt::format("plugin '{}' is not a loadhost plugin: it has no '{}' symbol", path,
                        LH_ENTRY_SYMBOL);
    return nullptr;
  }
  if (!lib->start(host, error)) return nullptr;
  return lib;
}

std::unique_ptr<PluginLibrary> PluginLibrary::builtin(const lh_entry *entry, std::string name,
                                                      const lh_host *host, std::string &error) {
  std::unique_ptr<PluginLibrary> lib(new PluginLibrary());
  lib->path_ = std::move(name);
  lib->entry_ = entry;
  if (!lib->start(host, error)) return nullptr;
  return lib;
}

bool PluginLibrary::start(const lh_host *host, std::string &error) {
  const lh_abi_version abi = entry_->abi;
  if (abi.major != LH_ABI_VERSION_MAJOR) {
    error = fmt::format(
        "plugin '{}' was built for loadhost ABI {}.{}, but this loadhost speaks ABI {}.x: "
        "rebuild it against this SDK",
        path_, abi.major, abi.minor, LH_ABI_VERSION_MAJOR);
    return false;
  }
  if (!entry_->init || !entry_->deinit || !entry_->get_factory) {
    error = fmt::format("plugin '{}' has an incomplete entry (init, deinit and get_factory "
                        "are required)",
                        path_);
    return false;
  }
  if (const char *why = entry_->init(host, path_.c_str())) {
    error = fmt::format("plugin '{}' failed to start: {}", path_, why);
    return false;
  }
  initialised_ = true;
  protocols_ = static_cast<const lh_protocol_factory *>(entry_->get_factory(LH_PROTOCOL_FACTORY_ID));
  scenario_ = static_cast<const lh_scenario *>(entry_->get_factory(LH_SCENARIO_FACTORY_ID));
  if (!protocols_ && !scenario_) {
    error = fmt::format("plugin '{}' provides neither a protocol nor a scenario", path_);
    return false;
  }
  return true;
}

PluginLibrary::~PluginLibrary() {
  if (initialised_) entry_->deinit();
  if (handle_) dlclose(handle_);
}

}  // namespace loadhost::core
