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
  return MailboxView(s);
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

TEST(MailboxViewTest, SequenceNumbersAfterExpungesFromTheSharedBase) {
  std::vector<store::Uid> uids;
  for (store::Uid u = 1; u <= 100; ++u) uids.push_back(u * 3);
  MailboxView v = Make(uids);
  store::Changes c;
  c.highestmodseq = 2;
  c.vanished = {3, 30, 33, 150, 300};
  c.changed = {Meta(301, 0, 2), Meta(302, store::kSeen, 2)};
  v.Absorb(c);
  v.set_announced_count();
  std::vector<store::Uid> gone;
  EXPECT_EQ(v.TakeExpunges(&gone), (std::vector<uint32_t>{100, 50, 11, 10, 1}));
  std::vector<store::Uid> want;
  for (store::Uid u : uids) {
    if (u != 3 && u != 30 && u != 33 && u != 150 && u != 300) want.push_back(u);
  }
  want.push_back(301);
  want.push_back(302);
  EXPECT_EQ(v.Uids(), want);
  ASSERT_EQ(v.count(), want.size());
  for (uint32_t seq = 1; seq <= v.count(); ++seq) {
    EXPECT_EQ(v.UidAt(seq), want[seq - 1]);
    EXPECT_EQ(v.SeqOf(want[seq - 1]), seq);
  }
  EXPECT_FALSE(v.SeqOf(30).has_value());
  EXPECT_EQ(v.Select(*ParseSequenceSet("28:40"), true, {}),
            (std::vector<uint32_t>{9, 10}));  // UIDs 36 and 39
  EXPECT_EQ(v.SystemFlagsAt(v.count()), store::kSeen);
  EXPECT_EQ(v.max_uid(), 302u);
}

TEST(MailboxViewTest, ManyChangesMakeANewSharedBase) {
  std::vector<store::Uid> uids;
  for (store::Uid u = 1; u <= 20000; ++u) uids.push_back(u);
  MailboxView v = Make(uids);
  const SharedVersions::Key key{"Mtest", 7, 42, ""};
  v.set_share_key(key);
  const auto old_base = v.base();
  store::Changes c;
  c.highestmodseq = 9;
  for (store::Uid u = 1; u <= 6000; ++u) {
    store::MessageMeta m = Meta(u, store::kFlagged, 9);
    if (u % 2 == 0) m.flags.keywords = {"$Label1"};
    c.changed.push_back(m);
  }
  v.Absorb(c);
  EXPECT_NE(v.base(), old_base);
  EXPECT_EQ(SharedVersions::Global().Find(key), v.base());
  EXPECT_EQ(v.base()->modseq(), 9u);
  EXPECT_EQ(v.TakeFlagChanges().size(), 6000u);
  EXPECT_LT(v.PrivateBytes(), 4096u);
  EXPECT_EQ(v.MessageAt(2).flags.keywords, std::vector<std::string>{"$Label1"});
  EXPECT_EQ(v.SystemFlagsAt(6000), store::kFlagged);
  EXPECT_EQ(v.SystemFlagsAt(6001), 0u);
  EXPECT_EQ(v.ModSeqAt(6001), 1u);
}

TEST(MailboxViewTest, RecentRangesCountPresentMessages) {
  MailboxView v = Make({1, 2, 3, 4, 5, 6});
  v.AddRecent(2, 4);
  v.AddRecent(4, 6);
  EXPECT_EQ(v.recent_count(), 4u);
  EXPECT_TRUE(v.is_recent(3));
  EXPECT_FALSE(v.is_recent(2));
  v.MarkExpunged({4});
  v.TakeExpunges(nullptr);
  EXPECT_EQ(v.recent_count(), 3u);
  EXPECT_EQ(v.RecentUids(), (std::vector<store::Uid>{3, 5, 6}));
}

}  // namespace
}  // namespace mailroom::imap
