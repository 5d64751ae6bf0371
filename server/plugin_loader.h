// Loads protocol plugins: dlopen(RTLD_NOW | RTLD_LOCAL) of every
// libmailroom_*.so in the plugin directories, the mandatory entry point
// plugin::kEntryPoint, and the ABI version check.
#ifndef MAILROOM_SERVER_PLUGIN_LOADER_H_
#define MAILROOM_SERVER_PLUGIN_LOADER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocols/api/plugin.h"

namespace mailroom::server {

// One loaded shared object. dlclose()s it when destroyed, so it must outlive
// every session of the plugin. Thread-safe (immutable after loading).
class LoadedPlugin {
 public:
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const plugin::PluginDescriptor& descriptor() const { return *descriptor_; }
  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }

  // Loads `path`. Fails when dlopen fails, the entry point is missing, the
  // descriptor is incomplete, or its ABI version is not `expected_abi`
  // ("plugin X: ABI version mismatch: got A, expected B").
  static absl::StatusOr<std::unique_ptr<LoadedPlugin>> Load(
      const std::string& path, uint32_t expected_abi = plugin::kAbiVersion);

 private:
  LoadedPlugin(void* handle, const plugin::PluginDescriptor* descriptor,
               std::string path);

  void* handle_;                                  // owned, dlclose()d
  const plugin::PluginDescriptor* descriptor_;   // lives in the plugin
  std::string name_;
  std::string path_;
};

// Paths of libmailroom_*.so files in `dirs`, sorted per directory. Missing
// directories are skipped.
std::vector<std::string> FindPluginFiles(const std::vector<std::string>& dirs);

// Loads every plugin in `dirs`. A plugin name seen twice keeps the first
// one. Any load failure fails the whole call.
absl::StatusOr<std::vector<std::unique_ptr<LoadedPlugin>>> LoadPlugins(
    const std::vector<std::string>& dirs,
    uint32_t expected_abi = plugin::kAbiVersion);

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_PLUGIN_LOADER_H_
