#include "mailio/maildir_metadata.h"

#include "gtest/gtest.h"

namespace mailroom::mailio {
namespace {

TEST(DovecotKeywords, ParsesAndFormats) {
  absl::StatusOr<KeywordLetters> k =
      ParseDovecotKeywords("0 $Label1\n2 work\n30 beyond\n");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ((*k)[0], "$Label1");
  EXPECT_EQ((*k)[1], "");
  EXPECT_EQ((*k)[2], "work");
  EXPECT_EQ(FormatDovecotKeywords(*k), "0 $Label1\n2 work\n");
}

// A name that is no IMAP keyword would break FLAGS responses (a space splits
// it in two, a CR ends the line): its letter means nothing instead.
TEST(DovecotKeywords, NamesThatAreNoKeywordLeaveTheLetterUnnamed) {
  absl::StatusOr<KeywordLetters> k = ParseDovecotKeywords(
      "0 work stuff\n1 * *\r\r\n2 (x)\n3 caf\xc3\xa9\n4 ok\n");
  ASSERT_TRUE(k.ok()) << k.status();
  for (int i = 0; i < 4; ++i) EXPECT_EQ((*k)[i], "") << i;
  EXPECT_EQ((*k)[4], "ok");
  int ignored = 0;
  const store::Flags flags = FlagsFromLetters("abe", *k, &ignored);
  EXPECT_EQ(flags.keywords, std::vector<std::string>{"ok"});
  EXPECT_EQ(ignored, 2);
}

TEST(DovecotKeywords, MalformedLinesNameTheLine) {
  for (const char* bad : {"x work\n", "0\n", "-1 a\n", "0 a\nzz\n"}) {
    absl::StatusOr<KeywordLetters> k = ParseDovecotKeywords(bad);
    EXPECT_FALSE(k.ok()) << bad;
    if (!k.ok()) {
      EXPECT_NE(k.status().message().find("dovecot-keywords line"),
                std::string_view::npos);
    }
  }
  EXPECT_NE(ParseDovecotKeywords("0 a\nzz\n").status().message().find(
                "line 2"),
            std::string_view::npos);
}

TEST(DovecotUidList, Version3) {
  absl::StatusOr<UidList> list = ParseDovecotUidList(
      "3 V1234 N57 G3085f01b7f11094c501100008c4a11c1\n"
      "5 :1035478339.27041_118.host\n"
      "56 W2051 S2000 :1035478340.27041_119.host:2,S\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->uidvalidity, 1234u);
  EXPECT_EQ(list->next_uid, 57u);
  EXPECT_EQ(list->uid_of_base.at("1035478339.27041_118.host"), 5u);
  EXPECT_EQ(list->uid_of_base.at("1035478340.27041_119.host"), 56u);
}

TEST(DovecotUidList, Version1AndCourier) {
  absl::StatusOr<UidList> list =
      ParseDovecotUidList("1 99 4\r\n1 a.host:2,S\r\n3 b.host\r\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->uidvalidity, 99u);
  EXPECT_EQ(list->next_uid, 4u);
  EXPECT_EQ(list->uid_of_base.at("a.host"), 1u);
  EXPECT_EQ(list->uid_of_base.at("b.host"), 3u);
  list = ParseCourierUidDb("1 1700000000 3\n1 x.host\n2 y.host\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->uidvalidity, 1700000000u);
  EXPECT_EQ(list->uid_of_base.size(), 2u);
}

TEST(DovecotUidList, MalformedInputFailsClearly) {
  for (const char* bad :
       {"", "2 V1 N2\n", "3 Vx N2\n", "3 V1 N2\n7 no-colon\n",
        "3 V1 N2\nx :a\n", "3 V1 N2\n0 :a\n", "3 V1 N2\n5 :\n", "1 1\n",
        "1 1 2\n3\n"}) {
    absl::StatusOr<UidList> list = ParseDovecotUidList(bad);
    EXPECT_FALSE(list.ok()) << bad;
    if (!list.ok()) {
      EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(list.status().message().find("dovecot-uidlist line"),
                std::string_view::npos);
    }
  }
  EXPECT_FALSE(ParseCourierUidDb("3 V1 N2\n").ok());
}

TEST(DovecotUidList, FormatsVersion3) {
  const std::string text =
      FormatDovecotUidList(77, 9, {{3, "a.host"}, {8, "b.host"}});
  EXPECT_EQ(text, "3 V77 N9\n3 :a.host\n8 :b.host\n");
  absl::StatusOr<UidList> back = ParseDovecotUidList(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->uidvalidity, 77u);
  EXPECT_EQ(back->uid_of_base.at("b.host"), 8u);
}

TEST(Subscriptions, BothVersions) {
  absl::StatusOr<std::vector<Subscription>> v1 =
      ParseSubscriptions("INBOX\nSent\nProjects.2024\n\n");
  ASSERT_TRUE(v1.ok());
  ASSERT_EQ(v1->size(), 3u);
  EXPECT_EQ((*v1)[2].raw, "Projects.2024");
  EXPECT_TRUE((*v1)[2].levels.empty());
  absl::StatusOr<std::vector<Subscription>> v2 =
      ParseSubscriptions("V\t2\nINBOX\nProjects\t2024\n");
  ASSERT_TRUE(v2.ok());
  ASSERT_EQ(v2->size(), 2u);
  EXPECT_EQ((*v2)[1].levels, (std::vector<std::string>{"Projects", "2024"}));
  EXPECT_FALSE(ParseSubscriptions("V\t2\na\t\tb\n").ok());
  EXPECT_FALSE(ParseSubscriptions("a\tb\n").ok());
  EXPECT_EQ(FormatSubscriptions({"INBOX", "a.b"}), "INBOX\na.b\n");
}

}  // namespace
}  // namespace mailroom::mailio

namespace mailroom::mailio {
namespace {

TEST(MbsyncUids, UidValidityFileAndNames) {
  absl::StatusOr<UidList> list = ParseMbsyncUidValidity("1700000000\n12\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->uidvalidity, 1700000000u);
  EXPECT_EQ(list->next_uid, 13u);
  for (const char* bad : {"", "x\n1\n", "5\n", "0\n3\n"}) {
    EXPECT_FALSE(ParseMbsyncUidValidity(bad).ok()) << bad;
  }
  EXPECT_EQ(MbsyncUidOf("1700000000.123_4.host,U=42"), 42u);
  EXPECT_EQ(MbsyncUidOf("1.host,U=7,FMD5=abc"), 7u);
  EXPECT_FALSE(MbsyncUidOf("1.host").has_value());
  EXPECT_FALSE(MbsyncUidOf("1.host,U=").has_value());
  EXPECT_FALSE(MbsyncUidOf("1.host,U=0").has_value());
  EXPECT_FALSE(MbsyncUidOf("1.host,U=99999999999").has_value());
}

}  // namespace
}  // namespace mailroom::mailio

namespace mailroom::mailio {
namespace {

TEST(DovecotUidList, BlankHeaderIsAnError) {
  EXPECT_FALSE(ParseDovecotUidList("   \n1 :a\n").ok());
}

}  // namespace
}  // namespace mailroom::mailio
