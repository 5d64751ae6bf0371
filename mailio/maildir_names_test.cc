#include "mailio/maildir_names.h"

#include "gtest/gtest.h"

namespace mailroom::mailio {
namespace {

TEST(MaildirNames, SplitsInfo) {
  MaildirFileName n = SplitMaildirFileName("123.M4P5.host,S=10:2,FS");
  EXPECT_EQ(n.base, "123.M4P5.host,S=10");
  EXPECT_EQ(n.flag_letters, "FS");
  n = SplitMaildirFileName("123.M4P5.host");
  EXPECT_EQ(n.base, "123.M4P5.host");
  EXPECT_EQ(n.flag_letters, "");
  n = SplitMaildirFileName("123.host:1,xyz");  // experimental info: no flags
  EXPECT_EQ(n.base, "123.host");
  EXPECT_EQ(n.flag_letters, "");
}

TEST(MaildirNames, LettersToFlags) {
  KeywordLetters keywords;
  keywords[0] = "$Label1";
  keywords[2] = "work";
  int ignored = 0;
  store::Flags flags = FlagsFromLetters("DFPRSTacbX", keywords, &ignored);
  EXPECT_EQ(flags.system, store::kDraft | store::kFlagged | store::kAnswered |
                              store::kSeen | store::kDeleted);
  EXPECT_EQ(flags.keywords,
            (std::vector<std::string>{"$Forwarded", "$Label1", "work"}));
  EXPECT_EQ(ignored, 2);  // 'b' has no keyword, 'X' means nothing
}

TEST(MaildirNames, FlagsToLettersInAsciiOrder) {
  KeywordLetters keywords;
  keywords[0] = "$Label1";
  keywords[1] = "work";
  store::Flags flags;
  flags.system = store::kSeen | store::kDraft | store::kAnswered;
  flags.keywords = {"$Forwarded", "other", "work"};
  int unrepresented = 0;
  EXPECT_EQ(LettersFromFlags(flags, keywords, &unrepresented), "DPRSb");
  EXPECT_EQ(unrepresented, 1);
  int ignored = 0;
  store::Flags back = FlagsFromLetters("DPRSb", keywords, &ignored);
  EXPECT_EQ(back.system, flags.system);
  EXPECT_EQ(back.keywords, (std::vector<std::string>{"$Forwarded", "work"}));
}

TEST(MaildirNames, FolderDirectories) {
  EXPECT_EQ(*MailboxFromFolderDir(".Sent"), "Sent");
  EXPECT_EQ(*MailboxFromFolderDir(".Projects.2024.Q1"), "Projects/2024/Q1");
  EXPECT_EQ(*MailboxFromFolderDir(".Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  EXPECT_EQ(*MailboxFromFolderDir(".Entw\xc3\xbcrfe"), "Entw\xc3\xbcrfe");
  EXPECT_EQ(*MailboxFromFolderDir(".R&D"), "R&D");  // raw (UTF-8 layout)
  EXPECT_EQ(*MailboxFromFolderDir(".v1&AC4-2"), "v1.2");
  EXPECT_FALSE(MailboxFromFolderDir(".a..b").ok());
  EXPECT_FALSE(MailboxFromFolderDir(".bad\xff").ok());
  EXPECT_FALSE(MailboxFromFolderDir("Sent").ok());
  EXPECT_FALSE(MailboxFromFolderDir(".").ok());
  EXPECT_FALSE(MailboxFromFolderDir(".a/b").ok());

  EXPECT_EQ(*FolderDirFromMailbox("Projects/2024"), ".Projects.2024");
  EXPECT_EQ(*FolderDirFromMailbox("Entw\xc3\xbcrfe/R&D"), ".Entw&APw-rfe.R&-D");
  EXPECT_EQ(*FolderDirFromMailbox("v1.2"), ".v1&AC4-2");
  EXPECT_FALSE(FolderDirFromMailbox("inbox").ok());
  for (const char* name : {"Projects/2024", "v1.2/x", "\xd0\x9f/a&b"}) {
    EXPECT_EQ(*MailboxFromFolderDir(*FolderDirFromMailbox(name)), name);
  }
}

}  // namespace
}  // namespace mailroom::mailio
