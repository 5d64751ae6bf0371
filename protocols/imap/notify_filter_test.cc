#include "protocols/imap/notify_filter.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

using store::ChangeEvent;

NotifyFilter::Interest Watching(std::initializer_list<store::MailboxId> ids) {
  NotifyFilter::Interest interest;
  interest.message_mailboxes.insert(ids.begin(), ids.end());
  interest.user = "alice";
  return interest;
}

TEST(NotifyFilterTest, LetsThroughOnlyWatchedMailboxesCoalesced) {
  NotifyFilter filter(100);
  filter.SetInterest(Watching({1, 2}));
  EXPECT_TRUE(filter.Offer({2, "alice", 5, ChangeEvent::kMessages}));
  EXPECT_FALSE(filter.Offer({3, "alice", 6, ChangeEvent::kMessages}));
  EXPECT_FALSE(filter.Offer({2, "alice", 7, ChangeEvent::kMessages}));
  EXPECT_FALSE(filter.Offer({1, "alice", 8, ChangeEvent::kMessages}));
  NotifyFilter::Pending p = filter.Take();
  EXPECT_EQ(p.mailboxes, (std::vector<store::MailboxId>{2, 1}));
  EXPECT_FALSE(p.overflow);
  EXPECT_TRUE(filter.Take().empty());
  // Queued again after a Take: the first offer wakes again.
  EXPECT_TRUE(filter.Offer({1, "alice", 9, ChangeEvent::kMessages}));
}

TEST(NotifyFilterTest, ListAndSubscriptionEventsNeedInterest) {
  NotifyFilter filter(100);
  filter.SetInterest(Watching({}));
  EXPECT_FALSE(filter.Offer({1, "bob", 0, ChangeEvent::kMailboxList}));
  EXPECT_FALSE(filter.Offer({0, "alice", 0, ChangeEvent::kSubscriptions}));
  NotifyFilter::Interest interest = Watching({});
  interest.mailbox_list = true;
  interest.subscriptions = true;
  filter.SetInterest(interest);
  EXPECT_TRUE(filter.Offer({1, "bob", 0, ChangeEvent::kMailboxList}));
  // Another user's subscriptions are not ours.
  EXPECT_FALSE(filter.Offer({0, "bob", 0, ChangeEvent::kSubscriptions}));
  EXPECT_FALSE(filter.Offer({0, "alice", 0, ChangeEvent::kSubscriptions}));
  NotifyFilter::Pending p = filter.Take();
  EXPECT_TRUE(p.mailbox_list);
  EXPECT_TRUE(p.subscriptions);
  EXPECT_TRUE(p.mailboxes.empty());
}

TEST(NotifyFilterTest, OverflowsPastTheBoundUntilTaken) {
  NotifyFilter filter(3);
  filter.SetInterest(Watching({1}));
  for (int i = 0; i < 3; ++i) {
    filter.Offer({1, "alice", static_cast<store::ModSeq>(i), ChangeEvent::kMessages});
  }
  EXPECT_FALSE(filter.Take().overflow);
  for (int i = 0; i < 4; ++i) {
    filter.Offer({1, "alice", static_cast<store::ModSeq>(i), ChangeEvent::kMessages});
  }
  EXPECT_TRUE(filter.Take().overflow);
  EXPECT_TRUE(filter.Take().empty());
}

TEST(NotifyFilterTest, MetadataChangesOfWatchedMailboxesAndTheServer) {
  NotifyFilter filter(100);
  NotifyFilter::Interest interest;
  interest.user = "alice";
  interest.metadata_mailboxes = {2};
  filter.SetInterest(interest);
  ChangeEvent other{3, "alice", 0, ChangeEvent::kMetadata};
  other.entries = {"/shared/comment"};
  EXPECT_FALSE(filter.Offer(other));
  ChangeEvent server{0, "", 0, ChangeEvent::kMetadata};
  server.entries = {"/shared/motd"};
  EXPECT_FALSE(filter.Offer(server));  // ServerMetadataChange not asked for
  ChangeEvent watched{2, "alice", 0, ChangeEvent::kMetadata};
  watched.entries = {"/shared/comment", "/shared/x"};
  EXPECT_TRUE(filter.Offer(watched));
  interest.server_metadata = true;
  filter.SetInterest(interest);
  EXPECT_FALSE(filter.Offer(server));  // already woken
  NotifyFilter::Pending pending = filter.Take();
  ASSERT_EQ(pending.metadata.size(), 2u);
  EXPECT_EQ(pending.metadata[0].mailbox, 2u);
  EXPECT_EQ(pending.metadata[0].entries.size(), 2u);
  EXPECT_EQ(pending.metadata[1].mailbox, 0u);
  EXPECT_TRUE(pending.mailboxes.empty());
}

}  // namespace
}  // namespace mailroom::imap
