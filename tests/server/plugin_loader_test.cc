// LoadedPlugin / LoadPlugins against real shared objects built here.
#include "server/plugin_loader.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mailroom::server {
namespace {

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir ? srcdir : ".", "/mailroom/", path);
}

TEST(PluginLoader, LoadsTheEchoPlugin) {
  auto plugin = LoadedPlugin::Load(Runfile("tests/server/libmailroom_echo.so"));
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->name(), "echo");
  EXPECT_EQ((*plugin)->descriptor().abi_version, plugin::kAbiVersion);
  EXPECT_NE((*plugin)->descriptor().run_session, nullptr);
}

TEST(PluginLoader, RefusesAnAbiMismatchWithAPreciseMessage) {
  auto plugin =
      LoadedPlugin::Load(Runfile("tests/server/libmailroom_wrongabi.so"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().message(),
            absl::StrCat("plugin libmailroom_wrongabi.so: ABI version "
                         "mismatch: got ",
                         plugin::kAbiVersion + 1, ", expected ",
                         plugin::kAbiVersion));
  // The same plugin with the host expecting its version loads.
  EXPECT_TRUE(LoadedPlugin::Load(
                  Runfile("tests/server/libmailroom_wrongabi.so"),
                  plugin::kAbiVersion + 1)
                  .ok());
}

TEST(PluginLoader, ReportsMissingFilesAndFindsPluginsInDirectories) {
  auto missing = LoadedPlugin::Load("/nonexistent/libmailroom_x.so");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot load"),
            std::string::npos);

  const std::string dir = Runfile("tests/server");
  std::vector<std::string> found = FindPluginFiles({dir, "/nonexistent"});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(std::filesystem::path(found[0]).filename(), "libmailroom_echo.so");
  // Loading the whole directory fails on the wrong-ABI plugin.
  EXPECT_FALSE(LoadPlugins({dir}).ok());
}

}  // namespace
}  // namespace mailroom::server
