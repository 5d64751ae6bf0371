// Keeps plugin::kAbiVersion honest: it must equal the FNV-1a 32-bit hash of
// the ABI headers' bytes (in the order below), with the line holding
// "kAbiVersion =" left out. When a header changes, this test fails and
// prints the value to put into protocols/api/plugin.h.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "protocols/api/plugin.h"

namespace mailroom::plugin {
namespace {

constexpr const char* kAbiHeaders[] = {
    "protocols/api/plugin.h", "protocols/api/task.h",
    "store/store.h",          "store/types.h",
    "store/search_key.h",     "store/text_index.h",
    "mime/message.h",
};

std::string ReadRunfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string full =
      std::string(srcdir ? srcdir : ".") + "/mailroom/" + path;
  std::ifstream in(full, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << full;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The file without the line that defines kAbiVersion (so the hash does not
// depend on itself).
std::string WithoutVersionLine(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string line = text.substr(start, end - start);
    if (line.find("kAbiVersion =") == std::string::npos) out += line;
    start = end;
  }
  return out;
}

uint32_t Fnv1a32(const std::string& bytes, uint32_t hash = 2166136261u) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

TEST(PluginAbi, VersionIsTheHashOfTheAbiHeaders) {
  uint32_t hash = 2166136261u;
  for (const char* header : kAbiHeaders) {
    hash = Fnv1a32(WithoutVersionLine(ReadRunfile(header)), hash);
  }
  EXPECT_EQ(kAbiVersion, hash)
      << "The ABI headers changed: set\n  inline constexpr uint32_t "
         "kAbiVersion = "
      << hash << "u;\nin protocols/api/plugin.h";
}

TEST(PluginAbi, HashIgnoresOnlyTheVersionLine) {
  EXPECT_EQ(WithoutVersionLine("a\ninline constexpr uint32_t kAbiVersion = 1;\nb\n"),
            "a\nb\n");
  EXPECT_NE(Fnv1a32("a"), Fnv1a32("b"));
  EXPECT_EQ(Fnv1a32(""), 2166136261u);
  EXPECT_EQ(Fnv1a32("a"), 0xe40c292cu);  // published FNV-1a test vector
}

}  // namespace
}  // namespace mailroom::plugin
