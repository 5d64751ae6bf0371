#include "store/internal/object_ids.h"

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

const std::string kKey(32, 'k');

bool IsObjectId(const std::string& id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

TEST(ObjectIdsTest, TextFollowsTheGrammar) {
  std::string raw = MailboxObjectIdRaw(kKey, 7);
  ASSERT_EQ(raw.size(), kObjectIdBytes);
  std::string text = ObjectIdText('F', raw);
  EXPECT_EQ(text.size(), 17u);  // 80 bits are 16 base32 digits
  EXPECT_EQ(text[0], 'F');
  EXPECT_TRUE(IsObjectId(text));
  EXPECT_EQ(ObjectIdText('M', std::string(10, '\0')), "M" + std::string(16, 'a'));
}

TEST(ObjectIdsTest, KeyedAndDistinct) {
  EXPECT_EQ(MailboxObjectIdRaw(kKey, 7), MailboxObjectIdRaw(kKey, 7));
  EXPECT_NE(MailboxObjectIdRaw(kKey, 7), MailboxObjectIdRaw(kKey, 8));
  EXPECT_NE(MailboxObjectIdRaw(kKey, 7),
            MailboxObjectIdRaw(std::string(32, 'x'), 7));
  std::string hash(32, '\x11');
  EXPECT_NE(EmailObjectIdRaw(kKey, hash),
            EmailObjectIdRaw(std::string(32, 'x'), hash));
}

TEST(ObjectIdsTest, ThreadRootRule) {
  EXPECT_EQ(ThreadRoot("Message-ID: <Root@Example.COM>\r\n\r\nbody"),
            "root@example.com");
  EXPECT_EQ(ThreadRoot("Message-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\n\r\n"),
            "a@x");
  EXPECT_EQ(ThreadRoot("Message-ID: <c@x>\r\nIn-Reply-To: <b@x>\r\n"
                       "References: <a@x>\r\n <b@x>\r\n\r\n"),
            "a@x");
  // Only the header counts.
  EXPECT_EQ(ThreadRoot("Subject: hi\n\nMessage-ID: <x@y>\n"), "");
  EXPECT_EQ(ThreadRoot("References: garbage\r\nMessage-ID: <m@x>\r\n\r\n"),
            "m@x");
}

TEST(ObjectIdsTest, ReplyJoinsItsRootsThread) {
  std::string root_hash(32, '\x01'), reply_hash(32, '\x02');
  std::string root = ThreadObjectIdOf(kKey, "Message-ID: <a@x>\r\n\r\nhi",
                                      root_hash);
  std::string reply = ThreadObjectIdOf(
      kKey, "Message-ID: <b@x>\r\nReferences: <A@x>\r\n\r\nre", reply_hash);
  std::string other =
      ThreadObjectIdOf(kKey, "Message-ID: <z@x>\r\n\r\nhi", root_hash);
  EXPECT_EQ(root, reply);
  EXPECT_NE(root, other);
  // No ids at all: a thread of its own, told apart by the body.
  EXPECT_NE(ThreadObjectIdOf(kKey, "Subject: a\r\n\r\n", root_hash),
            ThreadObjectIdOf(kKey, "Subject: a\r\n\r\n", reply_hash));
}

}  // namespace
}  // namespace mailroom::store::internal
