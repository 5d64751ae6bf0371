#include "protocols/imap/command_parser.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(CommandParserTest, TagOf) {
  EXPECT_EQ(TagOf("a1 NOOP"), "a1");
  EXPECT_EQ(TagOf("NOOP"), "*");
  EXPECT_EQ(TagOf("a+b NOOP"), "*");
  EXPECT_EQ(TagOf(" NOOP"), "*");
  EXPECT_EQ(TagOf("a(b NOOP"), "*");
  EXPECT_EQ(TagOf("a]1 NOOP"), "a]1");
}

TEST(CommandParserTest, SimpleCommands) {
  auto c = ParseCommand("a1 noop");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tag, "a1");
  EXPECT_EQ(c->name, CommandName::kNoop);
  EXPECT_FALSE(ParseCommand("a1 NOOP extra").ok());
  EXPECT_EQ(ParseCommand("a1 FROB").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(ParseCommand("a1 UID NOOP").ok());
}

TEST(CommandParserTest, Replace) {  // RFC 8508
  auto c = ParseCommand("a REPLACE 4 Drafts (\\Seen \\Draft) {5}\r\nhello");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, CommandName::kReplace);
  EXPECT_FALSE(c->uid);
  EXPECT_EQ(c->args[0], "Drafts");
  ASSERT_EQ(c->append.size(), 1u);
  EXPECT_EQ(c->append[0].data, "hello");
  EXPECT_EQ(c->append[0].flags.size(), 2u);
  c = ParseCommand("a UID REPLACE 25 \"Other\" {2+}\r\nhi");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->uid);
  EXPECT_FALSE(ParseCommand("a REPLACE 1:2 Drafts {2}\r\nhi").ok());
  EXPECT_FALSE(ParseCommand("a REPLACE 1,2 Drafts {2}\r\nhi").ok());
  EXPECT_FALSE(ParseCommand("a REPLACE 1 Drafts").ok());
  EXPECT_FALSE(ParseCommand("a REPLACE 1 Drafts {2}\r\nhi {2}\r\nho").ok());
}

TEST(CommandParserTest, PreviewAndObjectIdFetchItems) {
  auto c = ParseCommand("a FETCH 1 (PREVIEW (LAZY) UID EMAILID THREADID)");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->fetch.attrs.size(), 4u);
  EXPECT_EQ(c->fetch.attrs[0].kind, FetchAttr::Kind::kPreview);
  EXPECT_EQ(c->fetch.attrs[1].kind, FetchAttr::Kind::kUid);
  EXPECT_EQ(c->fetch.attrs[2].kind, FetchAttr::Kind::kEmailId);
  EXPECT_EQ(c->fetch.attrs[3].kind, FetchAttr::Kind::kThreadId);
  EXPECT_TRUE(ParseCommand("a FETCH 1 PREVIEW").ok());
  EXPECT_TRUE(ParseCommand("a FETCH 1 (PREVIEW UID)").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 (PREVIEW (FAST))").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 (PREVIEW (LAZY)").ok());
  auto s = ParseCommand("a STATUS INBOX (MAILBOXID)");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->atoms[0], "MAILBOXID");
}

TEST(CommandParserTest, LoginWithQuotedAndLiteral) {
  auto c = ParseCommand("a LOGIN \"us\\\"er\" {5}\r\np ass");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->args.size(), 2u);
  EXPECT_EQ(c->args[0], "us\"er");
  EXPECT_EQ(c->args[1], "p ass");
  // Non-synchronizing literal.
  c = ParseCommand("a LOGIN bob {2+}\r\npw");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->args[1], "pw");
  EXPECT_FALSE(ParseCommand("a LOGIN bob {9}\r\npw").ok());  // truncated
  EXPECT_FALSE(ParseCommand("a LOGIN bob \"pw").ok());
}

TEST(CommandParserTest, SelectWithQresync) {
  auto c = ParseCommand(
      "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41:211,214:541 "
      "(1:5 41:45)))");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->select.qresync.has_value());
  EXPECT_EQ(c->select.qresync->uidvalidity, 67890007u);
  EXPECT_EQ(c->select.qresync->modseq, 20050715194045000ull);
  ASSERT_TRUE(c->select.qresync->known_uids.has_value());
  EXPECT_EQ(c->select.qresync->known_uids->ranges.size(), 2u);
  ASSERT_TRUE(c->select.qresync->seq_match.has_value());
  c = ParseCommand("A SELECT INBOX (CONDSTORE)");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->select.condstore);
  c = ParseCommand("A SELECT INBOX (QRESYNC (1 2))");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->select.qresync->known_uids.has_value());
  EXPECT_FALSE(ParseCommand("A SELECT INBOX (FOO)").ok());
}

TEST(CommandParserTest, ListExtended) {
  auto c = ParseCommand(
      "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"%\" INBOX/*) RETURN "
      "(CHILDREN STATUS (MESSAGES UNSEEN))");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->list.extended);
  EXPECT_TRUE(c->list.select_subscribed);
  EXPECT_TRUE(c->list.select_recursive);
  ASSERT_EQ(c->list.patterns.size(), 2u);
  EXPECT_EQ(c->list.patterns[1], "INBOX/*");
  EXPECT_TRUE(c->list.return_children);
  ASSERT_TRUE(c->list.return_status.has_value());
  EXPECT_EQ(c->list.return_status->at(1), "UNSEEN");
  c = ParseCommand("a LIST \"\" %");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->list.extended);
  EXPECT_FALSE(ParseCommand("a LIST (RECURSIVEMATCH) \"\" *").ok());
}

TEST(CommandParserTest, AppendSingleAndMulti) {
  auto c = ParseCommand(
      "a APPEND Drafts (\\Seen $Work) \" 7-Feb-1994 21:52:25 -0800\" "
      "{5}\r\nHello");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->append.size(), 1u);
  EXPECT_EQ(c->append[0].flags,
            (std::vector<std::string>{"\\Seen", "$Work"}));
  EXPECT_EQ(c->append[0].data, "Hello");
  EXPECT_EQ(c->append[0].tz_minutes, -480);
  EXPECT_EQ(*c->append[0].internal_date, 760686745);
  c = ParseCommand("a APPEND INBOX {1}\r\nx {2+}\r\nyz ~{1}\r\nw");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->append.size(), 3u);
  EXPECT_EQ(c->append[1].data, "yz");
  EXPECT_TRUE(c->append[2].binary);
  EXPECT_FALSE(ParseCommand("a APPEND INBOX \"quoted\"").ok());
  EXPECT_FALSE(ParseCommand("a APPEND INBOX").ok());
}

TEST(CommandParserTest, FetchAttributes) {
  auto c = ParseCommand(
      "a UID FETCH 1:* (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100> "
      "BINARY[2]<5.6> BINARY.SIZE[1] RFC822.SIZE MODSEQ) (CHANGEDSINCE 7 "
      "VANISHED)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->uid);
  const auto& a = c->fetch.attrs;
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[1].kind, FetchAttr::Kind::kSection);
  EXPECT_TRUE(a[1].peek);
  EXPECT_EQ(a[1].part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(a[1].text, FetchAttr::Text::kHeaderFields);
  EXPECT_EQ(a[1].ResponseName(), "BODY[1.2.HEADER.FIELDS (FROM TO)]<0>");
  EXPECT_EQ(a[2].ResponseName(), "BINARY[2]<5>");
  EXPECT_EQ(a[3].ResponseName(), "BINARY.SIZE[1]");
  EXPECT_EQ(*c->fetch.changed_since, 7u);
  EXPECT_TRUE(c->fetch.vanished);
}

TEST(CommandParserTest, FetchMacrosAndErrors) {
  auto c = ParseCommand("a FETCH 1 FULL");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->fetch.attrs.size(), 5u);
  c = ParseCommand("a FETCH 1 body[]");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->fetch.attrs[0].ResponseName(), "BODY[]");
  EXPECT_FALSE(ParseCommand("a FETCH 1 (FLAGS").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 BODY[MIME]").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 BINARY[HEADER]").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 BODY[]<0.0>").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 FROB").ok());
  EXPECT_FALSE(ParseCommand("a FETCH 1 FLAGS (VANISHED)").ok());
}

TEST(CommandParserTest, Store) {
  auto c = ParseCommand("a STORE 1:3 (UNCHANGEDSINCE 9) -FLAGS.SILENT (\\Seen)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.op, store::FlagOp::kRemove);
  EXPECT_TRUE(c->store.silent);
  EXPECT_EQ(*c->store.unchanged_since, 9u);
  EXPECT_EQ(c->store.flags, std::vector<std::string>{"\\Seen"});
  c = ParseCommand("a UID STORE 4 FLAGS \\Deleted $x");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->store.op, store::FlagOp::kReplace);
  EXPECT_EQ(c->store.flags.size(), 2u);
  EXPECT_FALSE(ParseCommand("a STORE 1 +FLAGZ (\\Seen)").ok());
}

TEST(CommandParserTest, SearchWithReturnAndCharset) {
  auto c = ParseCommand(
      "a UID SEARCH RETURN (MIN COUNT SAVE) CHARSET UTF-8 UNSEEN");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->search.esearch);
  EXPECT_EQ(c->search.returns.size(), 3u);
  EXPECT_EQ(*c->search.charset, "UTF-8");
  c = ParseCommand("a SEARCH RETURN () ALL");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->search.returns.empty());
  EXPECT_FALSE(ParseCommand("a SEARCH RETURN (FOO) ALL").ok());
}

TEST(CommandParserTest, IdEnableCreateAuthenticate) {
  auto c = ParseCommand("a ID (\"name\" \"x\" \"version\" NIL)");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->id_params->size(), 2u);
  EXPECT_FALSE(c->id_params->at(1).second.has_value());
  c = ParseCommand("a ID NIL");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->id_params.has_value());
  c = ParseCommand("a ENABLE condstore UTF8=ACCEPT");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->atoms, (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
  c = ParseCommand("a CREATE Sent2 (USE (\\Sent))");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c->special_use, "\\Sent");
  c = ParseCommand("a AUTHENTICATE plain AGJvYgBwdw==");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->args[0], "PLAIN");
  EXPECT_EQ(*c->initial_response, "AGJvYgBwdw==");
}

TEST(CommandParserTest, AclQuotaCopyMove) {
  EXPECT_EQ(ParseCommand("a SETACL INBOX bob lrs")->args.size(), 3u);
  EXPECT_EQ(ParseCommand("a GETQUOTAROOT INBOX")->name,
            CommandName::kGetQuotaRoot);
  auto c = ParseCommand("a UID MOVE 1:5 Archive");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->name, CommandName::kMove);
  EXPECT_EQ(c->args[0], "Archive");
  c = ParseCommand("a UID EXPUNGE 3,5");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->set.ranges.size(), 2u);
  EXPECT_FALSE(ParseCommand("a COPY Archive").ok());
}

TEST(CommandParserTest, StatusItems) {
  auto c = ParseCommand("a STATUS \"Sent Items\" (MESSAGES UIDNEXT size)");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->args[0], "Sent Items");
  EXPECT_EQ(c->atoms,
            (std::vector<std::string>{"MESSAGES", "UIDNEXT", "SIZE"}));
}

TEST(CommandParserTest, DateTime) {
  auto dt = ParseDateTime("01-Jan-1970 00:00:00 +0000");
  ASSERT_TRUE(dt.ok());
  EXPECT_EQ(dt->first, 0);
  EXPECT_FALSE(ParseDateTime("32-Jan-1970 00:00:00 +0000").ok());
  EXPECT_FALSE(ParseDateTime("01-Jan-1970 00:00:00 0000").ok());
}

TEST(CommandParserTest, SortAndThread) {
  auto c = ParseCommand("a UID SORT (REVERSE date displayFROM) utf-8 FROM x");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, CommandName::kSort);
  EXPECT_TRUE(c->uid);
  ASSERT_EQ(c->sort_thread.criteria.size(), 2u);
  EXPECT_EQ(c->sort_thread.criteria[0].key, SortKey::kDate);
  EXPECT_TRUE(c->sort_thread.criteria[0].reverse);
  EXPECT_EQ(c->sort_thread.criteria[1].key, SortKey::kDisplayFrom);
  EXPECT_FALSE(c->sort_thread.criteria[1].reverse);
  EXPECT_EQ(c->search.charset, "utf-8");

  EXPECT_FALSE(ParseCommand("a SORT () UTF-8 ALL").ok());
  EXPECT_FALSE(ParseCommand("a SORT (NAME) UTF-8 ALL").ok());
  EXPECT_FALSE(ParseCommand("a SORT (REVERSE) UTF-8 ALL").ok());
  EXPECT_FALSE(ParseCommand("a SORT (DATE) ALL").ok());  // no charset

  c = ParseCommand("a THREAD references US-ASCII 1:3 SEEN");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, CommandName::kThread);
  EXPECT_EQ(c->sort_thread.algorithm,
            SortThreadArgs::Algorithm::kReferences);
  c = ParseCommand("a UID THREAD ORDEREDSUBJECT UTF-8 ALL");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sort_thread.algorithm,
            SortThreadArgs::Algorithm::kOrderedSubject);
  EXPECT_FALSE(ParseCommand("a THREAD REFS UTF-8 ALL").ok());
}

TEST(CommandParserTest, SortReturn) {
  auto c = ParseCommand("E01 UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->search.esearch);
  EXPECT_TRUE(c->search.returns.empty());
  c = ParseCommand("a SORT RETURN (min MAX count ALL) (SIZE) UTF-8 ALL");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->search.returns,
            (std::vector<std::string>{"MIN", "MAX", "COUNT", "ALL"}));
  EXPECT_FALSE(c->search.esearch &&
               ParseCommand("a SORT (SIZE) UTF-8 ALL")->search.esearch);
  EXPECT_FALSE(ParseCommand("a SORT RETURN (SAVE) (SIZE) UTF-8 ALL").ok());
  EXPECT_FALSE(ParseCommand("a SORT RETURN (SIZE) UTF-8 ALL").ok());
}

TEST(CommandParserTest, AppendCatenate) {
  auto c = ParseCommand(
      "a APPEND Drafts (\\Draft) CATENATE (URL \"/Drafts;UIDVALIDITY=5/;UID=2"
      "/;SECTION=HEADER\" TEXT {4+}\r\nabcd URL ;UID=3) {2+}\r\nhi "
      "CATENATE (TEXT {1}\r\nx)");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->append.size(), 3u);
  ASSERT_EQ(c->append[0].catenate.size(), 3u);
  EXPECT_EQ(c->append[0].flags, std::vector<std::string>{"\\Draft"});
  EXPECT_TRUE(c->append[0].catenate[0].url);
  EXPECT_EQ(c->append[0].catenate[0].text,
            "/Drafts;UIDVALIDITY=5/;UID=2/;SECTION=HEADER");
  EXPECT_FALSE(c->append[0].catenate[1].url);
  EXPECT_EQ(c->append[0].catenate[1].text, "abcd");
  EXPECT_EQ(c->append[0].catenate[2].text, ";UID=3");
  EXPECT_TRUE(c->append[1].catenate.empty());
  EXPECT_EQ(c->append[1].data, "hi");
  EXPECT_EQ(c->append[2].catenate.size(), 1u);

  EXPECT_FALSE(ParseCommand("a APPEND x CATENATE ()").ok());
  EXPECT_FALSE(ParseCommand("a APPEND x CATENATE (TEXT \"q\")").ok());
  EXPECT_FALSE(ParseCommand("a APPEND x CATENATE (URL)").ok());
  EXPECT_FALSE(ParseCommand("a APPEND x CATENATE (URL u").ok());

  ParseLimits limits;
  limits.max_catenate_parts = 2;
  auto over = ParseCommand("a APPEND x CATENATE (URL a URL b URL c)", limits);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(
      ParseCommand("a APPEND x CATENATE (URL a URL b)", limits).ok());
}

TEST(CommandParserTest, GetMetadataOptionsBeforeOrAfterTheMailbox) {
  // RFC 5464 section 5 puts the options first, its examples after.
  for (const char* text :
       {"a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/shared/a /b)",
        "a GETMETADATA \"INBOX\" (DEPTH INFINITY MAXSIZE 1024) (/shared/a /b)"}) {
    auto c = ParseCommand(text);
    ASSERT_TRUE(c.ok()) << text << ": " << c.status();
    EXPECT_EQ(c->args[0], "INBOX");
    EXPECT_EQ(c->metadata.max_size, 1024u);
    EXPECT_EQ(c->metadata.depth, store::MetadataDepth::kInfinity);
    EXPECT_EQ(c->metadata.entries, (std::vector<std::string>{"/shared/a", "/b"}));
  }
  auto one = ParseCommand("a GETMETADATA \"\" /shared/comment");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->args[0], "");
  EXPECT_EQ(one->metadata.entries, (std::vector<std::string>{"/shared/comment"}));
  for (const char* bad : {"a GETMETADATA INBOX", "a GETMETADATA INBOX (DEPTH 2) /a",
                          "a GETMETADATA (FOO) INBOX /a", "a GETMETADATA INBOX ()"}) {
    EXPECT_FALSE(ParseCommand(bad).ok()) << bad;
  }
}

TEST(CommandParserTest, SetMetadataValues) {
  const std::string text =
      std::string("a SETMETADATA INBOX (/private/comment {5}\r\nab\r\nc "
                  "/shared/x NIL /shared/bin ~{3}\r\na") +
      '\0' + "b)";
  auto c = ParseCommand(text);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->metadata.values.size(), 3u);
  EXPECT_EQ(c->metadata.values[0].value, "ab\r\nc");
  EXPECT_FALSE(c->metadata.values[1].value.has_value());
  EXPECT_EQ(c->metadata.values[2].value, std::string("a\0b", 3));
  ParseLimits limits;
  limits.max_metadata_entries = 1;
  EXPECT_EQ(ParseCommand("a SETMETADATA INBOX (/a \"1\" /b \"2\")", limits)
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(ParseCommand("a SETMETADATA INBOX (/a)").ok());
  EXPECT_FALSE(ParseCommand("a SETMETADATA INBOX /a \"1\"").ok());
}

}  // namespace
}  // namespace mailroom::imap
