// ReadDovecotSieve on homes laid out by hand as Dovecot (Pigeonhole) keeps
// them, and WriteDovecotSieve read back.
#include "mailio/dovecot_sieve.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace mailroom::mailio {
namespace {

namespace fs = std::filesystem;

class DovecotSieveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = fs::path(tmp ? tmp : "/tmp") /
            ("dovecot-sieve-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "Maildir" / "cur");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const fs::path& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative, std::ios::binary) << text;
  }

  fs::path root_;
};

TEST_F(DovecotSieveTest, HomeBesideMaildir) {
  Write("sieve/vacation.sieve", "keep;");
  Write("sieve/filing.sieve", "stop;");
  Write("sieve/filing.svbin", "compiled");
  Write("sieve/tmp/x.sieve", "partial");
  fs::create_symlink("sieve/filing.sieve", root_ / ".dovecot.sieve");
  auto read = ReadDovecotSieve((root_ / "Maildir").string());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  const SieveScripts& s = **read;
  ASSERT_EQ(s.scripts.size(), 2u);
  EXPECT_EQ(s.scripts[0].name, "filing");
  EXPECT_EQ(s.scripts[0].source, "stop;");
  EXPECT_EQ(s.scripts[1].name, "vacation");
  EXPECT_EQ(s.active, "filing");
  EXPECT_TRUE(s.warnings.empty());
  // A trailing slash names the same Maildir.
  read = ReadDovecotSieve((root_ / "Maildir").string() + "/");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->active, "filing");
}

TEST_F(DovecotSieveTest, NoLayoutIsNone) {
  auto read = ReadDovecotSieve((root_ / "Maildir").string());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
  // A folder not named Maildir does not look at its parent.
  Write("sieve/a.sieve", "keep;");
  fs::create_directories(root_ / "mail" / "cur");
  read = ReadDovecotSieve((root_ / "mail").string());
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

TEST_F(DovecotSieveTest, PlainFileAndDanglingLink) {
  Write(".dovecot.sieve", "discard;");
  auto read = ReadDovecotSieve((root_ / "Maildir").string());
  ASSERT_TRUE(read.ok() && read->has_value());
  ASSERT_EQ((*read)->scripts.size(), 1u);
  EXPECT_EQ((*read)->scripts[0].name, "dovecot");
  EXPECT_EQ((*read)->active, "dovecot");

  fs::remove(root_ / ".dovecot.sieve");
  Write("sieve/a.sieve", "keep;");
  fs::create_symlink("sieve/gone.sieve", root_ / ".dovecot.sieve");
  read = ReadDovecotSieve((root_ / "Maildir").string());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->active, "");
  EXPECT_EQ((*read)->warnings.size(), 1u);
}

TEST_F(DovecotSieveTest, WrittenLayoutReadsBack) {
  const fs::path out = root_ / "export";
  fs::create_directories(out);
  SieveScripts scripts;
  scripts.scripts = {{"a", "keep;"}, {"b b", "stop;"}};
  scripts.active = "b b";
  ASSERT_TRUE(WriteDovecotSieve(out.string(), scripts).ok());
  EXPECT_EQ(fs::read_symlink(out / ".dovecot.sieve"), "sieve/b b.sieve");
  auto read = ReadDovecotSieve(out.string());
  ASSERT_TRUE(read.ok() && read->has_value());
  ASSERT_EQ((*read)->scripts.size(), 2u);
  EXPECT_EQ((*read)->scripts[1].source, "stop;");
  EXPECT_EQ((*read)->active, "b b");
  scripts.scripts = {{"a/b", "keep;"}};
  EXPECT_EQ(WriteDovecotSieve(out.string(), scripts).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mailroom::mailio
