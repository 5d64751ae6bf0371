#include "store/internal/names.h"

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

TEST(NamesTest, CanonicalUser) {
  EXPECT_EQ(CanonicalUser("Alice.B-1_x").value(), "alice.b-1_x");
  EXPECT_FALSE(CanonicalUser("").ok());
  EXPECT_FALSE(CanonicalUser(".a").ok());
  EXPECT_FALSE(CanonicalUser("a@b").ok());
  EXPECT_FALSE(CanonicalUser(std::string(65, 'a')).ok());
  EXPECT_TRUE(CanonicalUser(std::string(64, 'a')).ok());
}

TEST(NamesTest, CanonicalNewUserRefusesAclIdentifiers) {
  for (const char* name : {"anyone", "Anyone", "AUTHENTICATED", "-alice", "-",
                           "$group", "", "a/b", "a\r\nb", "a\x01"}) {
    EXPECT_EQ(CanonicalNewUser(name).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_EQ(CanonicalNewUser("Al-ice").value(), "al-ice");
  EXPECT_EQ(CanonicalNewUser("anyone2").value(), "anyone2");
  // Existing accounts keep working under the general rule.
  EXPECT_TRUE(CanonicalUser("anyone").ok());
}

TEST(NamesTest, MailboxNames) {
  EXPECT_EQ(CanonicalMailboxName("inbox").value(), "INBOX");
  EXPECT_EQ(CanonicalMailboxName("iNbOx/Sub").value(), "INBOX/Sub");
  EXPECT_EQ(CanonicalMailboxName("inboxes").value(), "inboxes");
  EXPECT_EQ(CanonicalMailboxName("Été/日本").value(), "Été/日本");
  for (const char* bad : {"", "/", "a/", "/a", "a//b", ".", "a/..", "a*",
                          "%", "a\x01", "a\x7f", "\xe2\x82", "\xed\xa0\x80"}) {
    EXPECT_EQ(CanonicalMailboxName(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(CanonicalMailboxName(std::string(255, 'a')).ok());
  EXPECT_FALSE(CanonicalMailboxName(std::string(256, 'a')).ok());
}

TEST(NamesTest, Namespaces) {
  auto own = ResolveVisibleName("bob", "Work/x").value();
  EXPECT_EQ(own.owner, "bob");
  EXPECT_EQ(own.name, "Work/x");
  auto other = ResolveVisibleName("bob", "Other Users/Alice/inbox/y").value();
  EXPECT_EQ(other.owner, "alice");
  EXPECT_EQ(other.name, "INBOX/y");
  auto shared = ResolveVisibleName("bob", "Shared/helpdesk").value();
  EXPECT_EQ(shared.owner, "shared");
  EXPECT_EQ(shared.name, "helpdesk");
  EXPECT_FALSE(ResolveVisibleName("bob", "Other Users/alice").ok());
  EXPECT_FALSE(ResolveVisibleName("bob", "Shared").ok());
  EXPECT_EQ(VisibleName("bob", "alice", "INBOX"), "Other Users/alice/INBOX");
  EXPECT_EQ(VisibleName("bob", "shared", "h"), "Shared/h");
  EXPECT_EQ(VisibleName("bob", "bob", "h"), "h");
  EXPECT_EQ(ParentNames("a/b/c"), (std::vector<std::string>{"a", "a/b"}));
}

}  // namespace
}  // namespace mailroom::store::internal
