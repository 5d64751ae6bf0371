#include "protocols/imap/mailbox_view.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

store::MessageMeta Meta(store::Uid uid, uint32_t flags = 0,
                        store::ModSeq modseq = 1) {
  store::MessageMeta m;
  m.uid = uid;
  m.flags.system = flags;
  m.modseq = modseq;
  return m;
}

MailboxView Make(std::vector<store::Uid> uids) {
  store::MailboxSnapshot s;
  s.status.id = 7;
  s.status.uidvalidity = 42;
  s.status.highestmodseq = 1;
  s.status.uidnext = uids.empty() ? 1 : uids.back() + 1;
  for (store::Uid u : uids) s.messages.push_back(Meta(u));
  return MailboxView(std::move(s));
}

TEST(MailboxViewTest, SequenceNumbersAndSelection) {
  MailboxView v = Make({3, 5, 9, 10});
  EXPECT_EQ(v.count(), 4u);
  EXPECT_EQ(*v.SeqOf(9), 3u);
  EXPECT_FALSE(v.SeqOf(4).has_value());
  EXPECT_EQ(v.Select(*ParseSequenceSet("2:*"), false, {}),
            (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(v.Select(*ParseSequenceSet("4:9"), true, {}),
            (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(v.Select(*ParseSequenceSet("20:*"), true, {}),
            (std::vector<uint32_t>{4}));  // "*" is the highest UID
  EXPECT_EQ(v.Select(*ParseSequenceSet("$"), true, {5, 6, 10}),
            (std::vector<uint32_t>{2, 4}));
  EXPECT_EQ(v.uidnext(), 11u);
}

TEST(MailboxViewTest, ExpungesRenumberHighestFirst) {
  MailboxView v = Make({1, 2, 3, 4, 5});
  store::Changes c;
  c.highestmodseq = 5;
  c.vanished = {2, 4, 99};
  v.Absorb(c);
  EXPECT_EQ(v.count(), 5u);  // nothing removed until announced
  ASSERT_TRUE(v.has_pending_expunges());
  std::vector<store::Uid> uids;
  EXPECT_EQ(v.TakeExpunges(&uids), (std::vector<uint32_t>{4, 2}));
  EXPECT_EQ(uids, (std::vector<store::Uid>{2, 4}));
  EXPECT_EQ(v.Uids(), (std::vector<store::Uid>{1, 3, 5}));
  EXPECT_EQ(v.highest_modseq(), 5u);
  EXPECT_FALSE(v.count_changed());
}

TEST(MailboxViewTest, NewMessagesAndFlagChanges) {
  MailboxView v = Make({1, 2});
  store::Changes c;
  c.highestmodseq = 9;
  c.changed = {Meta(2, store::kSeen, 8), Meta(3, 0, 9)};
  v.Absorb(c);
  EXPECT_EQ(v.count(), 3u);
  EXPECT_TRUE(v.count_changed());
  v.set_announced_count();
  EXPECT_EQ(v.TakeFlagChanges(), (std::vector<store::Uid>{2}));
  EXPECT_TRUE(v.TakeFlagChanges().empty());
  // Our own change is not announced again.
  v.UpdateMessage(Meta(1, store::kFlagged, 10));
  c.changed = {Meta(1, store::kFlagged, 10)};
  v.Absorb(c);
  EXPECT_TRUE(v.TakeFlagChanges().empty());
}

TEST(MailboxViewTest, UnannouncedMessageExpungedSilently) {
  MailboxView v = Make({1});
  store::Changes c;
  c.changed = {Meta(2)};
  v.Absorb(c);
  c.changed.clear();
  c.vanished = {2};
  v.Absorb(c);
  std::vector<store::Uid> uids;
  EXPECT_TRUE(v.TakeExpunges(&uids).empty());
  EXPECT_EQ(v.count(), 1u);
  EXPECT_FALSE(v.count_changed());
}

}  // namespace
}  // namespace mailroom::imap
