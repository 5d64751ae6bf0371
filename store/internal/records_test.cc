#include "store/internal/records.h"

#include "gtest/gtest.h"
#include "store/internal/keys.h"
#include "store/internal/rights.h"

namespace mailroom::store::internal {
namespace {

TEST(RecordsTest, MessageRoundTrip) {
  MessageRecord in{kSeen | kDraft, {"$Junk", "a"}, 77, -12345, -480, 999,
                   std::string(32, '\x01')};
  MessageRecord out;
  ASSERT_TRUE(Decode(Encode(in), &out));
  EXPECT_EQ(out.system_flags, in.system_flags);
  EXPECT_EQ(out.keywords, in.keywords);
  EXPECT_EQ(out.modseq, 77u);
  EXPECT_EQ(out.internal_date, -12345);
  EXPECT_EQ(out.internal_tz_minutes, -480);
  EXPECT_EQ(out.hash, in.hash);
}

TEST(RecordsTest, MessageSaveDate) {
  MessageRecord in;
  in.internal_date = 1000;
  in.save_date = 2000000000;
  in.hash = std::string(32, '\x02');
  MessageRecord out;
  ASSERT_TRUE(Decode(Encode(in), &out));
  EXPECT_EQ(out.save_date, 2000000000);

  // A record written before save dates existed ends after the hash: its
  // internal date stands in. (A zero save date, the two empty object ids
  // and a zero CRLF size encode as one byte each.)
  in.save_date = 0;
  std::string old = Encode(in);
  old.resize(old.size() - 4);
  MessageRecord older;
  ASSERT_TRUE(Decode(old, &older));
  EXPECT_EQ(older.internal_date, 1000);
  EXPECT_EQ(older.save_date, 1000);
  EXPECT_EQ(older.hash, in.hash);
}

TEST(RecordsTest, MessageObjectIds) {
  MessageRecord in;
  in.hash = std::string(32, '\x03');
  in.save_date = 5;
  in.email_id = std::string(10, '\x04');
  in.thread_id = std::string(10, '\x05');
  MessageRecord out;
  ASSERT_TRUE(Decode(Encode(in), &out));
  EXPECT_EQ(out.email_id, in.email_id);
  EXPECT_EQ(out.thread_id, in.thread_id);

  // A record written before object ids ends after the save date.
  in.email_id.clear();
  in.thread_id.clear();
  std::string old = Encode(in);
  old.resize(old.size() - 3);  // the two ids and crlf_size
  MessageRecord older;
  older.email_id = "stale";
  ASSERT_TRUE(Decode(old, &older));
  EXPECT_EQ(older.save_date, 5);
  EXPECT_TRUE(older.email_id.empty());
  EXPECT_TRUE(older.thread_id.empty());
}

TEST(RecordsTest, MessageCrlfSize) {
  MessageRecord in;
  in.hash = std::string(32, '\x03');
  in.size = 1000;
  in.crlf_size = 1042;
  in.email_id = std::string(10, '\x04');
  MessageRecord out;
  ASSERT_TRUE(Decode(Encode(in), &out));
  EXPECT_EQ(out.crlf_size, 1042u);

  // A record written before CRLF sizes ends after the thread id: unknown.
  in.crlf_size = 0;
  std::string old = Encode(in);
  old.resize(old.size() - 1);
  MessageRecord older;
  older.crlf_size = 7;
  ASSERT_TRUE(Decode(old, &older));
  EXPECT_EQ(older.crlf_size, 0u);
  EXPECT_EQ(older.email_id, in.email_id);
}

TEST(RecordsTest, RejectsGarbageAndTruncation) {
  MailboxState state{1, 2, 3, 4, 5, 6, 7};
  std::string bytes = Encode(state);
  MailboxState out;
  // The last four bytes are the optional last_modseq, recent_claimed,
  // (empty) inline keyword list and keyword count; cutting into `size`
  // fails.
  EXPECT_FALSE(Decode(bytes.substr(0, bytes.size() - 5), &out));
  EXPECT_FALSE(Decode("", &out));
  EXPECT_FALSE(Decode("\x09garbage", &out));
  UserRecord user;
  EXPECT_FALSE(Decode(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11), &user));
  IndexWork work;
  EXPECT_FALSE(Decode(std::string("\x01\x09", 2), &work));
}

TEST(RecordsTest, OptionalsAndIndexWork) {
  UserRecord u{"salt", 100, "sk", "svk", std::nullopt, 5};
  UserRecord v;
  ASSERT_TRUE(Decode(Encode(u), &v));
  EXPECT_EQ(v.storage_limit_bytes, std::nullopt);
  EXPECT_EQ(v.message_limit, 5u);
  IndexWork w{.op = IndexWork::kRemoveMailbox, .owner = "o", .mailbox = 9};
  IndexWork x;
  ASSERT_TRUE(Decode(Encode(w), &x));
  EXPECT_EQ(x.op, IndexWork::kRemoveMailbox);
  EXPECT_EQ(x.mailbox, 9u);
}

TEST(RecordsTest, RecordsWithoutLaterFieldsStillDecode) {
  MailboxState state{1, 2, 3, 4, 5, 6, 7, 9, 0};
  // The keyword list has its own key: the record holds only its length.
  state.keyword_count = 2;
  state.keywords = {"$todo", "project"};
  std::string bytes = Encode(state);
  MailboxState out;
  ASSERT_TRUE(Decode(bytes, &out));
  EXPECT_EQ(out.last_modseq, 9u);
  EXPECT_EQ(out.recent_claimed, 0u);
  EXPECT_EQ(out.keyword_count, 2u);
  EXPECT_TRUE(out.keywords.empty());
  EXPECT_FALSE(out.keywords_loaded);
  // Older records: the list inline, to be moved out on the next write.
  state.keyword_count = 0;
  bytes = Encode(state);
  // (The list as a record field: without a record's leading format byte.)
  const std::string list =
      EncodeStringList(std::vector<std::string>{"$todo", "project"});
  std::string older = bytes.substr(0, bytes.size() - 2) + list.substr(1);
  ASSERT_TRUE(Decode(older, &out));
  EXPECT_EQ(out.keywords, (std::vector<std::string>{"$todo", "project"}));
  EXPECT_EQ(out.keyword_count, 2u);
  EXPECT_TRUE(out.keywords_loaded);
  EXPECT_TRUE(out.keywords_dirty);
  // Without the keyword list: none known yet.
  ASSERT_TRUE(Decode(bytes.substr(0, bytes.size() - 2), &out));
  EXPECT_TRUE(out.keywords.empty());
  EXPECT_EQ(out.keyword_count, 0u);
  EXPECT_FALSE(out.keywords_dirty);
  EXPECT_EQ(out.recent_claimed, 0u);
  // Without recent_claimed: everything below UIDNEXT counts as claimed.
  ASSERT_TRUE(Decode(bytes.substr(0, bytes.size() - 3), &out));
  EXPECT_EQ(out.last_modseq, 9u);
  EXPECT_EQ(out.recent_claimed, 1u);
  ASSERT_TRUE(Decode(bytes.substr(0, bytes.size() - 4), &out));
  EXPECT_EQ(out.last_modseq, 0u);
  EXPECT_EQ(out.size, 7u);

  // A private set of \Seen alone is written as the older seen mode.
  MailboxRecord mailbox{"alice", "Support", std::nullopt, false,
                        Flags{kSeen, {}}};
  MailboxRecord decoded;
  bytes = Encode(mailbox);
  ASSERT_TRUE(Decode(bytes, &decoded));
  EXPECT_EQ(decoded.private_flags, (Flags{kSeen, {}}));
  ASSERT_TRUE(Decode(bytes.substr(0, bytes.size() - 1), &decoded));
  EXPECT_EQ(decoded.private_flags, Flags());
  bytes.back() = '\x07';  // an unknown mode
  EXPECT_FALSE(Decode(bytes, &decoded));

  mailbox.private_flags = Flags{kSeen | kFlagged, {"$Todo"}};
  ASSERT_TRUE(Decode(Encode(mailbox), &decoded));
  EXPECT_EQ(decoded.private_flags, mailbox.private_flags);
  mailbox.private_flags = Flags{kFlagged, {}};
  ASSERT_TRUE(Decode(Encode(mailbox), &decoded));
  EXPECT_EQ(decoded.private_flags, mailbox.private_flags);
}

TEST(RecordsTest, PrivateFlagRowsRoundTripAndOldRowsReadAsSeen) {
  SeenRow seen_only{true, 77};
  std::string bytes = Encode(seen_only);
  EXPECT_EQ(bytes.size(), 3u);  // version, seen, modseq: the old encoding
  SeenRow out;
  ASSERT_TRUE(Decode(bytes, &out));
  EXPECT_EQ(out, seen_only);
  EXPECT_EQ(out.system_mask, uint32_t{kSeen});

  SeenRow row{false, 99, kFlagged, kFlagged, {"$Done", "$Todo"}, {"$Todo"}};
  ASSERT_TRUE(Decode(Encode(row), &out));
  EXPECT_EQ(out, row);
}

TEST(RecordsTest, SeenRecordsRoundTrip) {
  SeenRow row{true, 1234567};
  SeenRow row_out;
  ASSERT_TRUE(Decode(Encode(row), &row_out));
  EXPECT_TRUE(row_out.seen);
  EXPECT_EQ(row_out.modseq, 1234567u);
  SeenUserState user{-3, 42};
  SeenUserState user_out;
  ASSERT_TRUE(Decode(Encode(user), &user_out));
  EXPECT_EQ(user_out.delta, -3);
  EXPECT_EQ(user_out.highestmodseq, 42u);
}

TEST(RecordsTest, ModSeqsComeFromOneCounter) {
  MailboxState state;
  state.highestmodseq = 5;
  EXPECT_EQ(NextModSeq(state), 6u);  // private: highestmodseq stays
  EXPECT_EQ(state.highestmodseq, 5u);
  EXPECT_EQ(NextSharedModSeq(state), 7u);
  EXPECT_EQ(state.highestmodseq, 7u);
}

TEST(KeysTest, SeenKeysGroupByMailboxAndUser) {
  EXPECT_TRUE(SeenRowKey(3, "bob", 9).starts_with(
      SeenUserPrefix(kSeenRowTag, 3, "bob")));
  EXPECT_FALSE(SeenRowKey(3, "bobby", 9).starts_with(
      SeenUserPrefix(kSeenRowTag, 3, "bob")));
  EXPECT_LT(SeenChangeKey(3, "bob", 255), SeenChangeKey(3, "bob", 256));
  EXPECT_TRUE(SeenStateKey(3, "bob").starts_with(SeenPrefix(kSeenStateTag, 3)));
}

TEST(KeysTest, BigEndianKeysSortNumerically) {
  EXPECT_LT(MessageKey(1, 255), MessageKey(1, 256));
  EXPECT_LT(MessageKey(1, 0xffffffff), MessageKey(2, 0));
  MailboxId id;
  Uid uid;
  ASSERT_TRUE(ParseMessageKey(MessageKey(7, 9), &id, &uid));
  EXPECT_EQ(id, 7u);
  EXPECT_EQ(uid, 9u);
  EXPECT_EQ(PrefixEnd("a\xff"), "b");
  EXPECT_LT(MailboxNameKey("bob", "zzz"), PrefixEnd(MailboxNamePrefix("bob")));
  EXPECT_LT(PrefixEnd(MailboxNamePrefix("bo")), MailboxNameKey("bob", "a"));
}

TEST(RightsTest, CanonicalOrderAndObsoleteLetters) {
  EXPECT_EQ(CanonicalRights("aerl").value(), "lrea");
  EXPECT_EQ(CanonicalRights("cd").value(), "kxte");
  EXPECT_FALSE(CanonicalRights("lz").ok());
  EXPECT_EQ(UnionRights("lr", "rs"), "lrs");
  EXPECT_EQ(SubtractRights("lrs", "r"), "ls");
}

}  // namespace
}  // namespace mailroom::store::internal
