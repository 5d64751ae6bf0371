#include "server/config_file.h"

#include "gtest/gtest.h"

namespace mailroom::server {
namespace {

TEST(ConfigFile, ParsesKeysValuesCommentsAndQuotes) {
  absl::StatusOr<ConfigEntries> entries = ParseConfig(
      "# a comment\n\n imap_port = 1143 \nhostname=\"mail.example\"\n"
      "local_domains = a.example,b.example\n",
      "test.conf");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0], (std::pair<std::string, std::string>(
                               "imap_port", "1143")));
  EXPECT_EQ((*entries)[1].second, "mail.example");
  EXPECT_EQ((*entries)[2].second, "a.example,b.example");
}

TEST(ConfigFile, ReportsTheLineOfAnError) {
  absl::StatusOr<ConfigEntries> entries =
      ParseConfig("imap_port = 1\nnonsense line\n", "x.conf");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().message(), "x.conf:2: expected 'key = value'");
  EXPECT_FALSE(ParseConfig("bad-key = 1\n", "x.conf").ok());
}

TEST(ConfigFile, FindsConfigFlagInBothForms) {
  const char* a[] = {"prog", "--imap_port=1", "--config=/etc/m.conf"};
  EXPECT_EQ(FindConfigFlag(3, const_cast<char**>(a)), "/etc/m.conf");
  const char* b[] = {"prog", "--config", "m.conf"};
  EXPECT_EQ(FindConfigFlag(3, const_cast<char**>(b)), "m.conf");
  const char* c[] = {"prog", "--imap_port=1"};
  EXPECT_EQ(FindConfigFlag(2, const_cast<char**>(c)), "");
}

}  // namespace
}  // namespace mailroom::server
