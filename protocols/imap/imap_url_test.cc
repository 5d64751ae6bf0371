#include "protocols/imap/imap_url.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(ImapUrlTest, AbsolutePathWithSectionAndPartial) {
  absl::StatusOr<ImapUrl> url = ParseImapUrl(
      "/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=10.300");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->has_server);
  EXPECT_EQ(url->mailbox, "INBOX");
  EXPECT_EQ(url->uidvalidity, 385759045u);
  EXPECT_EQ(url->uid, 20u);
  EXPECT_EQ(url->section, "1.2");
  EXPECT_EQ(url->partial_offset, 10u);
  EXPECT_EQ(url->partial_length, 300u);
}

TEST(ImapUrlTest, Rfc4469ExamplesParse) {
  for (const char* text :
       {"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER",
        "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME",
        "/Drafts;UIDVALIDITY=385759045/;UID=20/;Section=2",
        "/Drafts;UIDVALIDITY=385759045/;UID=30"}) {
    absl::StatusOr<ImapUrl> url = ParseImapUrl(text);
    ASSERT_TRUE(url.ok()) << text << ": " << url.status();
    EXPECT_EQ(url->mailbox, "Drafts");
    EXPECT_EQ(url->uidvalidity, 385759045u);
  }
  EXPECT_EQ(ParseImapUrl("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME")
                ->section,
            "1.MIME");
}

TEST(ImapUrlTest, MailboxWithoutUidValidity) {
  absl::StatusOr<ImapUrl> url = ParseImapUrl("/Work/Projects/;UID=7");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "Work/Projects");
  EXPECT_FALSE(url->uidvalidity.has_value());
  EXPECT_EQ(url->uid, 7u);
  EXPECT_FALSE(url->section.has_value());
  EXPECT_FALSE(url->partial_offset.has_value());
}

TEST(ImapUrlTest, RelativeToSelectedMailbox) {
  absl::StatusOr<ImapUrl> url = ParseImapUrl(";UID=20/;SECTION=1.2");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->mailbox.has_value());
  EXPECT_EQ(url->uid, 20u);
  EXPECT_EQ(url->section, "1.2");
  url = ParseImapUrl(";PARTIAL=0");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->uid.has_value());
  EXPECT_EQ(url->partial_offset, 0u);
  EXPECT_FALSE(url->partial_length.has_value());
}

TEST(ImapUrlTest, RelativeMailboxPath) {
  absl::StatusOr<ImapUrl> url = ParseImapUrl("Sent;UIDVALIDITY=9/;UID=3");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "Sent");
  EXPECT_EQ(url->uidvalidity, 9u);
}

TEST(ImapUrlTest, AbsoluteUrlWithServer) {
  absl::StatusOr<ImapUrl> url = ParseImapUrl(
      "imap://fred%40example.com;AUTH=*@mail.example.org:1143/INBOX/;UID=5");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->has_server);
  EXPECT_EQ(url->user, "fred@example.com");
  EXPECT_EQ(url->host, "mail.example.org");
  EXPECT_EQ(url->port, 1143);
  EXPECT_EQ(url->mailbox, "INBOX");
  EXPECT_EQ(url->uid, 5u);

  url = ParseImapUrl("//joe@[::1]/INBOX/;UID=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "[::1]");
  EXPECT_EQ(url->user, "joe");

  url = ParseImapUrl("IMAP://host/INBOX/;UID=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->user.has_value());
}

TEST(ImapUrlTest, PercentDecoding) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc%25"), "a b/c%");
  EXPECT_EQ(*PercentDecode("%c3%a9t%C3%A9"), "\xc3\xa9t\xc3\xa9");
  EXPECT_FALSE(PercentDecode("%2").ok());
  EXPECT_FALSE(PercentDecode("%").ok());
  EXPECT_FALSE(PercentDecode("%zz").ok());

  absl::StatusOr<ImapUrl> url =
      ParseImapUrl("/My%20Folder%3B1/;UID=2/;SECTION=HEADER.FIELDS%20(FROM)");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "My Folder;1");
  EXPECT_EQ(url->section, "HEADER.FIELDS (FROM)");
}

TEST(ImapUrlTest, Utf8AndModifiedUtf7MailboxNames) {
  // RFC 5092: UTF-8, percent-encoded.
  absl::StatusOr<ImapUrl> url = ParseImapUrl("/Entw%C3%BCrfe/;UID=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "Entw\xc3\xbcrfe");
  // RFC 2192: modified UTF-7, as on the wire.
  url = ParseImapUrl("/Entw&APw-rfe/;UID=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "Entw\xc3\xbcrfe");
  url = ParseImapUrl("/Tom%20&-%20Jerry/;UID=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "Tom & Jerry");
  // An '&' that is not modified UTF-7 stays as written.
  url = ParseImapUrl("/R&D/;UID=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->mailbox, "R&D");
  // Not UTF-8, or a control character: refused.
  EXPECT_FALSE(ParseImapUrl("/%FF%FE/;UID=1").ok());
  EXPECT_FALSE(ParseImapUrl("/a%0Db/;UID=1").ok());
}

TEST(ImapUrlTest, Refused) {
  for (const char* text : {
           "",
           "http://example.com/INBOX/;UID=1",
           "imap:/INBOX/;UID=1",
           "imap://host",
           "imap://host/",
           "/INBOX",                           // no UID: a mailbox, not a message
           "/INBOX?SUBJECT%20x",               // a search
           "/INBOX;UIDVALIDITY=0/;UID=1",      // nz-number
           "/INBOX;UIDVALIDITY=1;UID=1",       // missing "/"
           "/INBOX;UID=1",                     // missing "/"
           "/INBOX/;UID=01",                   // leading zero
           "/INBOX/;UID=4294967296",           // past 32 bits
           "/INBOX/;UID=x",
           "/INBOX/;UID=1/;SECTION=",          // empty section
           "/INBOX/;UID=1/;SECTION=1/;UID=2",  // order
           "/INBOX/;SECTION=1",                // section without UID
           "/INBOX/;UID=1/",                   // trailing slash
           "/INBOX/;UID=1/;PARTIAL=1.0",       // zero length
           "/INBOX/;UID=1/;FOO=1",
           "/INBOX/;UID=1;EXPIRE=2030-01-01T00:00:00Z",
           "/INBOX/;UID=1;URLAUTH=anonymous",
           "/;UID=1",                          // empty mailbox
           ";UIDVALIDITY=5/;UID=1",
           "//host:99999/INBOX/;UID=1",
       }) {
    EXPECT_FALSE(ParseImapUrl(text).ok()) << text;
  }
}

}  // namespace
}  // namespace mailroom::imap
