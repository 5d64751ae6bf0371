#include "server/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mailroom::server {

LoadedPlugin::LoadedPlugin(void* handle,
                           const plugin::PluginDescriptor* descriptor,
                           std::string path)
    : handle_(handle),
      descriptor_(descriptor),
      name_(descriptor->name),
      path_(std::move(path)) {}

LoadedPlugin::~LoadedPlugin() {
  if (handle_ != nullptr) dlclose(handle_);
}

absl::StatusOr<std::unique_ptr<LoadedPlugin>> LoadedPlugin::Load(
    const std::string& path, uint32_t expected_abi) {
  const std::string label = std::filesystem::path(path).filename().string();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    return absl::FailedPreconditionError(absl::StrCat(
        "plugin ", label, ": cannot load: ", error ? error : "unknown error"));
  }
  auto fail = [&](std::string message) {
    dlclose(handle);
    return absl::FailedPreconditionError(
        absl::StrCat("plugin ", label, ": ", message));
  };
  void* symbol = dlsym(handle, plugin::kEntryPoint);
  if (symbol == nullptr) {
    return fail(absl::StrCat("missing entry point ", plugin::kEntryPoint));
  }
  const plugin::PluginDescriptor* descriptor =
      reinterpret_cast<MailroomPluginEntry>(symbol)();
  if (descriptor == nullptr) return fail("entry point returned no descriptor");
  if (descriptor->abi_version != expected_abi) {
    return fail(absl::StrCat("ABI version mismatch: got ",
                             descriptor->abi_version, ", expected ",
                             expected_abi));
  }
  if (descriptor->name == nullptr || descriptor->name[0] == '\0' ||
      descriptor->run_session == nullptr) {
    return fail("descriptor has no name or no run_session");
  }
  return std::unique_ptr<LoadedPlugin>(
      new LoadedPlugin(handle, descriptor, path));
}

std::vector<std::string> FindPluginFiles(const std::vector<std::string>& dirs) {
  std::vector<std::string> result;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (absl::StartsWith(name, "libmailroom_") &&
          absl::EndsWith(name, ".so")) {
        found.push_back(entry.path().string());
      }
    }
    std::sort(found.begin(), found.end());
    result.insert(result.end(), found.begin(), found.end());
  }
  return result;
}

absl::StatusOr<std::vector<std::unique_ptr<LoadedPlugin>>> LoadPlugins(
    const std::vector<std::string>& dirs, uint32_t expected_abi) {
  std::vector<std::unique_ptr<LoadedPlugin>> plugins;
  std::set<std::string> names;
  for (const std::string& path : FindPluginFiles(dirs)) {
    absl::StatusOr<std::unique_ptr<LoadedPlugin>> loaded =
        LoadedPlugin::Load(path, expected_abi);
    if (!loaded.ok()) return loaded.status();
    if (!names.insert((*loaded)->name()).second) continue;
    plugins.push_back(*std::move(loaded));
  }
  return plugins;
}

}  // namespace mailroom::server
