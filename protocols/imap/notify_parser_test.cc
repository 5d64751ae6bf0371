#include "protocols/imap/notify_parser.h"

#include "gtest/gtest.h"
#include "protocols/imap/command_parser.h"

namespace mailroom::imap {
namespace {

using F = NotifyGroup::Filter;

TEST(NotifyParserTest, SetWithEveryFilter) {
  auto c = ParseCommand(
      "a NOTIFY SET STATUS (selected-delayed (MessageNew (UID "
      "BODY.PEEK[HEADER.FIELDS (From)]) MessageExpunge FlagChange)) "
      "(Personal (MailboxName SubscriptionChange)) (inboxes NONE) "
      "(subscribed (messagenew messageexpunge)) (subtree Lists (MessageNew "
      "MessageExpunge)) (mailboxes (INBOX \"a b\") (MessageNew "
      "MessageExpunge))");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, CommandName::kNotify);
  const NotifyArgs& n = c->notify;
  EXPECT_FALSE(n.none);
  EXPECT_TRUE(n.status);
  ASSERT_EQ(n.groups.size(), 6u);
  EXPECT_EQ(n.groups[0].filter, F::kSelectedDelayed);
  EXPECT_TRUE(n.groups[0].events.flag_change);
  ASSERT_EQ(n.groups[0].events.fetch_attrs.size(), 2u);
  EXPECT_EQ(n.groups[0].events.fetch_attrs[0].kind, FetchAttr::Kind::kUid);
  EXPECT_EQ(n.groups[1].filter, F::kPersonal);
  EXPECT_TRUE(n.groups[1].events.mailbox_name);
  EXPECT_TRUE(n.groups[1].events.subscription_change);
  EXPECT_FALSE(n.groups[1].events.message_new);
  EXPECT_EQ(n.groups[2].filter, F::kInboxes);
  EXPECT_FALSE(n.groups[2].events.any());
  EXPECT_EQ(n.groups[3].filter, F::kSubscribed);
  EXPECT_TRUE(n.groups[3].events.message_new);
  EXPECT_EQ(n.groups[4].filter, F::kSubtree);
  EXPECT_EQ(n.groups[4].mailboxes, std::vector<std::string>{"Lists"});
  EXPECT_EQ(n.groups[5].filter, F::kMailboxes);
  EXPECT_EQ(n.groups[5].mailboxes, (std::vector<std::string>{"INBOX", "a b"}));
  EXPECT_TRUE(n.unsupported_events.empty());
}

TEST(NotifyParserTest, None) {
  auto c = ParseCommand("a notify none");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->notify.none);
}

TEST(NotifyParserTest, UnsupportedEventsAreCollectedNotRejected) {
  auto c = ParseCommand(
      "a NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange "
      "MailboxMetadataChange)) (inboxes (ServerMetadataChange Frob))");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->notify.unsupported_events,
            (std::vector<std::string>{"AnnotationChange", "Frob"}));
  EXPECT_TRUE(c->notify.groups[0].events.mailbox_metadata);
  EXPECT_TRUE(c->notify.groups[1].events.server_metadata);
}

TEST(NotifyParserTest, MailboxMetadataChangeIsNotForSelected) {
  EXPECT_FALSE(
      ParseCommand("a NOTIFY SET (selected (MailboxMetadataChange))").ok());
}

TEST(NotifyParserTest, RuleViolationsAreSyntaxErrors) {
  for (const char* bad : {
           "a NOTIFY",
           "a NOTIFY SET",
           "a NOTIFY SET STATUS",
           "a NOTIFY SET (personal (MessageNew))",
           "a NOTIFY SET (personal (MessageExpunge))",
           "a NOTIFY SET (personal (FlagChange))",
           "a NOTIFY SET (personal (AnnotationChange))",
           "a NOTIFY SET (selected (MailboxName))",
           "a NOTIFY SET (selected (SubscriptionChange))",
           "a NOTIFY SET (selected NONE) (selected-delayed NONE)",
           "a NOTIFY SET (personal (MessageNew (UID) MessageExpunge))",
           "a NOTIFY SET (subtree (MessageNew MessageExpunge))",
           "a NOTIFY SET (mailboxes () (MessageNew MessageExpunge))",
           "a NOTIFY SET (personal ())",
           "a NOTIFY SET (unknown NONE)",
           "a NOTIFY SET (personal NONE) extra",
           "a NOTIFY SET (personal NONE",
           "a NOTIFY NONE now",
       }) {
    auto c = ParseCommand(bad);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(NotifyParserTest, SetQuota) {
  auto c = ParseCommand("a SETQUOTA \"\" (storage 512 MESSAGE 10)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, CommandName::kSetQuota);
  EXPECT_EQ(c->args, std::vector<std::string>{""});
  ASSERT_EQ(c->set_quota.resources.size(), 2u);
  EXPECT_EQ(c->set_quota.resources[0],
            (std::pair<std::string, uint64_t>{"STORAGE", 512}));
  EXPECT_EQ(c->set_quota.resources[1],
            (std::pair<std::string, uint64_t>{"MESSAGE", 10}));
  auto empty = ParseCommand("a SETQUOTA bob ()");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->set_quota.resources.empty());
  for (const char* bad : {"a SETQUOTA", "a SETQUOTA \"\"",
                          "a SETQUOTA \"\" (STORAGE)",
                          "a SETQUOTA \"\" (STORAGE -1)"}) {
    EXPECT_FALSE(ParseCommand(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mailroom::imap
