// ScanMaildirTree on trees written here by hand (Dovecot's and Courier's
// layout) and by MaildirWriter.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "mailio/maildir_reader.h"
#include "mailio/maildir_writer.h"
#include "mailio/private_files.h"

namespace mailroom::mailio {
namespace {

namespace fs = std::filesystem;

class MaildirTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = fs::path(tmp ? tmp : "/tmp") /
            ("maildir-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const fs::path& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative, std::ios::binary) << text;
  }

  fs::path root_;
};

TEST_F(MaildirTreeTest, ReadsDovecotLayout) {
  Write("cur/100.M1P1.host,S=20:2,RS", "Subject: one\n\nbody\n");
  Write("new/200.M2P2.host", "Subject: new\n\n");
  Write("dovecot-uidlist", "3 V555 N10 Gabc\n4 :100.M1P1.host,S=20\n");
  Write(".Sent.Old/cur/300.M3P3.host:2,Fab", "Subject: old\n\n");
  Write(".Sent.Old/dovecot-keywords", "0 $Label1\n1 work\n");
  Write(".Sent.Old/maildirfolder", "");
  Write(".Entw&APw-rfe/new/400.host", "x\n");
  Write(".bad\xff/cur/1.host", "x\n");
  Write(".notafolder", "");
  Write("subscriptions", "INBOX\nSent.Old\nEntw&APw-rfe\n");
  fs::last_write_time(root_ / "cur/100.M1P1.host,S=20:2,RS",
                      fs::file_time_type::clock::now());

  absl::StatusOr<MaildirTree> tree = ScanMaildirTree(root_.string());
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_EQ(tree->folders.size(), 3u);
  const MaildirFolder& inbox = tree->folders[0];
  EXPECT_EQ(inbox.mailbox, "INBOX");
  EXPECT_EQ(inbox.uidvalidity, 555u);
  EXPECT_EQ(inbox.next_uid, 10u);
  ASSERT_EQ(inbox.messages.size(), 2u);
  EXPECT_EQ(inbox.messages[0].uid, 4u);
  EXPECT_EQ(inbox.messages[0].flags.system, store::kAnswered | store::kSeen);
  EXPECT_FALSE(inbox.messages[1].uid.has_value());
  EXPECT_EQ(tree->folders[1].mailbox, "Entw\xc3\xbcrfe");
  EXPECT_EQ(tree->folders[2].mailbox, "Sent/Old");
  EXPECT_EQ(tree->folders[2].messages[0].flags.keywords,
            (std::vector<std::string>{"$Label1", "work"}));
  EXPECT_EQ(tree->subscriptions,
            (std::vector<std::string>{"INBOX", "Sent/Old", "Entw\xc3\xbcrfe"}));
  EXPECT_EQ(tree->messages(), 4u);
  ASSERT_EQ(tree->warnings.size(), 1u);  // the undecodable folder
  EXPECT_NE(tree->warnings[0].find("folder skipped"), std::string::npos);

  absl::StatusOr<std::string> data =
      ReadMaildirMessage(inbox.messages[0].path);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "Subject: one\r\n\r\nbody\r\n");
}

TEST_F(MaildirTreeTest, ReadsCourierLayout) {
  Write("cur/1.host:2,S", "a\n");
  Write("courierimapuiddb", "1 1600000000 8\n7 1.host\n");
  Write(".Trash/cur/2.host:2,", "b\n");
  Write("courierimapsubscribed", "INBOX.Trash\n");
  absl::StatusOr<MaildirTree> tree = ScanMaildirTree(root_.string());
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(tree->folders[0].uidvalidity, 1600000000u);
  EXPECT_EQ(tree->folders[0].messages[0].uid, 7u);
  EXPECT_EQ(tree->subscriptions, (std::vector<std::string>{"Trash"}));
}

TEST_F(MaildirTreeTest, ReadsMbsyncLayout) {
  Write(".uidvalidity", "1650000000\n9\n");
  Write("cur/1.123_1.host,U=4:2,S", "a\n");
  Write("new/2.123_2.host,U=9", "b\n");
  Write("new/3.123_3.host", "c\n");  // not yet numbered
  absl::StatusOr<MaildirTree> tree = ScanMaildirTree(root_.string());
  ASSERT_TRUE(tree.ok()) << tree.status();
  const MaildirFolder& inbox = tree->folders[0];
  EXPECT_EQ(inbox.uidvalidity, 1650000000u);
  EXPECT_EQ(inbox.next_uid, 10u);
  ASSERT_EQ(inbox.messages.size(), 3u);
  EXPECT_EQ(inbox.messages[0].uid, 4u);
  EXPECT_EQ(inbox.messages[1].uid, 9u);
  EXPECT_FALSE(inbox.messages[2].uid.has_value());
}

TEST_F(MaildirTreeTest, MalformedTreesFailClearly) {
  EXPECT_EQ(ScanMaildirTree((root_ / "missing").string()).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<MaildirTree> empty = ScanMaildirTree(root_.string());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  Write("cur/1.host", "a\n");
  Write("dovecot-uidlist", "3 V1 N2\ngarbage\n");
  absl::StatusOr<MaildirTree> bad = ScanMaildirTree(root_.string());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("dovecot-uidlist line 2"),
            std::string::npos)
      << bad.status();
}

TEST_F(MaildirTreeTest, WriterOutputReadsBackExactly) {
  const std::string out = (root_ / "export").string();
  ASSERT_TRUE(PrepareExportRoot(out).ok());
  MaildirWriter writer(out);
  store::Flags seen{store::kSeen, {}};
  store::Flags tagged{store::kFlagged | store::kDraft,
                      {"$Forwarded", "todo", "work"}};
  ASSERT_TRUE(writer.BeginFolder("INBOX", 42, 9, {}).ok());
  ASSERT_TRUE(writer.AddMessage(3, seen, 1700000000, "A: b\r\n\r\nc\r\n").ok());
  ASSERT_TRUE(writer.EndFolder().ok());
  ASSERT_TRUE(
      writer.BeginFolder("Projekt/Entw\xc3\xbcrfe", 7, 2,
                         {"$Forwarded", "todo", "work"}).ok());
  ASSERT_TRUE(writer.AddMessage(1, tagged, 1600000000, "X: y\r\n\r\n").ok());
  ASSERT_TRUE(writer.EndFolder().ok());
  ASSERT_TRUE(writer.WriteSubscriptions({"INBOX", "Projekt/Entw\xc3\xbcrfe"}).ok());
  EXPECT_EQ(writer.unrepresented_keywords(), 0u);
  EXPECT_TRUE(fs::exists(out + "/.Projekt.Entw&APw-rfe/maildirfolder"));
  struct stat st;
  ASSERT_EQ(stat((out + "/dovecot-uidlist").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((out + "/cur").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  absl::StatusOr<MaildirTree> tree = ScanMaildirTree(out);
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_EQ(tree->folders.size(), 2u);
  EXPECT_EQ(tree->folders[0].uidvalidity, 42u);
  EXPECT_EQ(tree->folders[0].next_uid, 9u);
  EXPECT_EQ(tree->folders[0].messages[0].uid, 3u);
  EXPECT_EQ(tree->folders[0].messages[0].mtime, 1700000000);
  EXPECT_EQ(tree->folders[0].messages[0].flags, seen);
  EXPECT_EQ(*ReadMaildirMessage(tree->folders[0].messages[0].path),
            "A: b\r\n\r\nc\r\n");
  EXPECT_EQ(tree->folders[1].mailbox, "Projekt/Entw\xc3\xbcrfe");
  EXPECT_EQ(tree->folders[1].messages[0].flags, tagged);
  EXPECT_EQ(tree->subscriptions,
            (std::vector<std::string>{"INBOX", "Projekt/Entw\xc3\xbcrfe"}));
  EXPECT_TRUE(tree->warnings.empty());

  // An export never mixes with earlier files.
  EXPECT_EQ(PrepareExportRoot(out).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mailroom::mailio
