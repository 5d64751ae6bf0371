#include <cstdio>
#include <filesystem>

#include "gtest/gtest.h"
#include "migrate/imap_response.h"
#include "migrate/imap_source.h"
#include "migrate/mutf7.h"
#include "migrate/state_file.h"

namespace mailroom::migrate {
namespace {

TEST(ImapResponse, FetchWithLiteral) {
  const std::string raw =
      "* 3 FETCH (UID 17 FLAGS (\\Seen $Label1) INTERNALDATE "
      "\"07-Dec-2026 04:44:21 +0100\" BODY[] {5}\r\nab)\r\n)";
  absl::StatusOr<ImapResponse> r = ParseImapResponse(raw);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->values.size(), 3u);
  EXPECT_TRUE(r->values[1].IsAtom("fetch"));
  const auto& items = r->values[2].items;
  ASSERT_EQ(items.size(), 8u);
  EXPECT_EQ(items[6].text, "BODY[]");
  EXPECT_EQ(items[7].text, "ab)\r\n");
  EXPECT_EQ(items[3].items.size(), 2u);
}

TEST(ImapResponse, StatusWithCode) {
  absl::StatusOr<ImapResponse> r =
      ParseImapResponse("* OK [UIDVALIDITY 3857529045] UIDs valid");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "OK");
  EXPECT_EQ(r->code, "UIDVALIDITY 3857529045");
  r = ParseImapResponse("M4 NO [AUTHENTICATIONFAILED] bad");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, ImapResponse::kTagged);
  EXPECT_EQ(r->tag, "M4");
  EXPECT_EQ(r->status, "NO");
}

TEST(ImapResponse, ListWithQuotedEscapes) {
  absl::StatusOr<ImapResponse> r = ParseImapResponse(
      "* LIST (\\HasNoChildren \\Sent) \".\" \"INBOX.Sent \\\"x\\\"\"");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->values.size(), 4u);
  EXPECT_EQ(r->values[2].text, ".");
  EXPECT_EQ(r->values[3].text, "INBOX.Sent \"x\"");
  r = ParseImapResponse("* LIST () NIL foo");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->values[2].kind, ImapValue::kNil);
}

TEST(ImapResponse, Malformed) {
  EXPECT_FALSE(ParseImapResponse("* 1 FETCH (BODY[] {10}\r\nab)").ok());
  EXPECT_FALSE(ParseImapResponse("* LIST (\\Noselect").ok());
}

TEST(ModifiedUtf7, Decodes) {
  EXPECT_EQ(*DecodeModifiedUtf7("Entw&APw-rfe"), "Entw\xc3\xbc" "rfe");
  EXPECT_EQ(*DecodeModifiedUtf7("A&-B"), "A&B");
  EXPECT_EQ(*DecodeModifiedUtf7("&ZeVnLIqe-"), "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  EXPECT_FALSE(DecodeModifiedUtf7("&ZeVn").ok());
}

TEST(InternalDate, ParsesZone) {
  int64_t t = 0;
  int32_t tz = 0;
  ASSERT_TRUE(ParseInternalDate(" 1-Jan-2000 01:00:00 +0100", &t, &tz));
  EXPECT_EQ(t, 946684800);
  EXPECT_EQ(tz, 60);
  ASSERT_TRUE(ParseInternalDate("17-Jul-1996 02:44:25 -0700", &t, &tz));
  EXPECT_EQ(t, 837596665);
  EXPECT_EQ(tz, -420);
  EXPECT_FALSE(ParseInternalDate("yesterday", &t, &tz));
}

TEST(Flags, SystemAndKeywords) {
  store::Flags f = ParseFlags({"\\Seen", "\\Recent", "$Forwarded", "\\Draft", "b", "b"});
  EXPECT_EQ(f.system, store::kSeen | store::kDraft);
  EXPECT_EQ(f.keywords, (std::vector<std::string>{"$Forwarded", "b"}));
}

TEST(UidSetTest, Ranges) {
  EXPECT_EQ(UidSet({1, 2, 3, 5, 7, 8}), "1:3,5,7:8");
}

TEST(StateFile, RoundTrip) {
  const std::string dir = testing::TempDir() + "/state";
  const std::string path = StatePath(dir, "imap", "bob", "h", "remote");
  AccountState state;
  FolderState& f = state.folders["INBOX"];
  f.source_uidvalidity = 42;
  f.local_name = "INBOX";
  for (uint32_t u = 1; u <= 100; ++u) f.uid_map[u] = u;
  f.uid_map[205] = 101;
  f.pending = PendingBatch{102, {{"206", "abcd"}}};
  state.pop3_copied["uidl1"] = "ff";
  ASSERT_TRUE(SaveState(path, state).ok());
  absl::StatusOr<AccountState> loaded = LoadState(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const FolderState& g = loaded->folders.at("INBOX");
  EXPECT_EQ(g.uid_map, f.uid_map);
  EXPECT_EQ(g.source_uidvalidity, 42u);
  ASSERT_TRUE(g.pending.has_value());
  EXPECT_EQ(g.pending->hashes[0].second, "abcd");
  EXPECT_EQ(loaded->pop3_copied.at("uidl1"), "ff");
  EXPECT_TRUE(LoadState(dir + "/missing.json")->folders.empty());
}

}  // namespace
}  // namespace mailroom::migrate
