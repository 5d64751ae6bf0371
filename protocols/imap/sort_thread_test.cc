#include "protocols/imap/sort_thread.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

SortValues Values(uint32_t id, int64_t date, std::string from,
                  std::string subject, uint64_t size = 0) {
  SortValues v;
  v.id = id;
  v.arrival = 1000 - id;
  v.sent_date = date;
  v.size = size;
  v.from = std::move(from);
  v.base_subject = std::move(subject);
  return v;
}

TEST(SortMessagesTest, KeysReverseAndTiesBySequence) {
  const std::vector<SortValues> m = {
      Values(1, 30, "bob", "b", 10), Values(2, 10, "Alice", "a", 30),
      Values(3, 20, "alice", "b", 20), Values(4, 20, "carol", "a", 30)};
  EXPECT_EQ(SortMessages(m, {{SortKey::kDate, false}}),
            (std::vector<uint32_t>{2, 3, 4, 1}));
  EXPECT_EQ(SortMessages(m, {{SortKey::kDate, true}}),
            (std::vector<uint32_t>{1, 3, 4, 2}));
  // i;ascii-casemap: "Alice" equals "alice"; ties fall to sequence order.
  EXPECT_EQ(SortMessages(m, {{SortKey::kFrom, false}}),
            (std::vector<uint32_t>{2, 3, 1, 4}));
  // REVERSE applies to its own key only.
  EXPECT_EQ(SortMessages(m, {{SortKey::kSubject, true}, {SortKey::kSize, false}}),
            (std::vector<uint32_t>{1, 3, 2, 4}));
  EXPECT_EQ(SortMessages(m, {{SortKey::kArrival, false}}),
            (std::vector<uint32_t>{4, 3, 2, 1}));
  EXPECT_TRUE(SortMessages({}, {{SortKey::kSize, false}}).empty());
}

TEST(SortMessagesTest, DisplayKeys) {
  std::vector<SortValues> m(3);
  m[0].id = 1, m[0].display_to = "zed@example.com";
  m[1].id = 2, m[1].display_to = "Anna";
  m[2].id = 3, m[2].display_to = "";
  EXPECT_EQ(SortMessages(m, {{SortKey::kDisplayTo, false}}),
            (std::vector<uint32_t>{3, 2, 1}));
}

TEST(CompareAsciiCasemapTest, FoldsOnlyAscii) {
  EXPECT_EQ(CompareAsciiCasemap("abc", "ABC"), 0);
  EXPECT_LT(CompareAsciiCasemap("ab", "abc"), 0);
  EXPECT_GT(CompareAsciiCasemap("b", "A"), 0);
  EXPECT_NE(CompareAsciiCasemap("\xc3\xa4", "\xc3\x84"), 0);
}

TEST(IsReplyOrForwardTest, Prefixes) {
  EXPECT_TRUE(IsReplyOrForward("Re: hello"));
  EXPECT_TRUE(IsReplyOrForward("FWD: hello"));
  EXPECT_TRUE(IsReplyOrForward("[list] re[2]: hello"));
  EXPECT_TRUE(IsReplyOrForward("hello (fwd)"));
  EXPECT_TRUE(IsReplyOrForward("[Fwd: hello]"));
  EXPECT_FALSE(IsReplyOrForward("hello"));
  EXPECT_FALSE(IsReplyOrForward("Reply needed"));
  EXPECT_FALSE(IsReplyOrForward("[list] hello"));
}

TEST(ParseMsgIdsTest, Lists) {
  EXPECT_EQ(ParseMsgIds("<a@x> (comment) <b@y>\t<c@z>"),
            (std::vector<std::string>{"a@x", "b@y", "c@z"}));
  EXPECT_TRUE(ParseMsgIds("no ids").empty());
  EXPECT_EQ(ParseMsgIds("<a@x> <broken"), (std::vector<std::string>{"a@x"}));
}

TEST(FormatThreadsTest, Rfc5256Example) {
  // "(2)(3 6 (4 23)(44 7 96))" from RFC 5256 section 4.
  std::vector<ThreadNode> t = {
      {2, {}},
      {3, {{6, {{4, {{23, {}}}}, {44, {{7, {{96, {}}}}}}}}}}};
  EXPECT_EQ(FormatThreads(t), "(2)(3 6 (4 23)(44 7 96))");
  // A dummy root holding two threads: "((3)(5))".
  EXPECT_EQ(FormatThreads({{0, {{3, {}}, {5, {}}}}}), "((3)(5))");
  EXPECT_EQ(FormatThreads({}), "");
}

ThreadInput Msg(uint32_t id, int64_t date, std::string subject,
                std::string message_id = "",
                std::vector<std::string> references = {},
                bool reply = false) {
  ThreadInput t;
  t.id = id;
  t.sent_date = date;
  t.base_subject = std::move(subject);
  t.message_id = std::move(message_id);
  t.references = std::move(references);
  t.is_reply_or_forward = reply;
  return t;
}

TEST(ThreadOrderedSubjectTest, GroupsByBaseSubjectThenDate) {
  const std::vector<ThreadInput> m = {
      Msg(1, 50, "b"), Msg(2, 10, "A"), Msg(3, 40, "a"), Msg(4, 20, "c"),
      Msg(5, 30, "a"), Msg(6, 60, "c")};
  // a: 2 (10), 5 (30), 3 (40); c: 4 (20), 6; b: 1 (50).
  EXPECT_EQ(FormatThreads(ThreadOrderedSubject(m)), "(2 (5)(3))(4 6)(1)");
}

TEST(ThreadReferencesTest, ChainsAndMissingParents) {
  // 3 and 4 both reply to <missing>, which is not in the mailbox: the
  // dummy at the root keeps them together.
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "one", "1@x"),
      Msg(2, 20, "one", "2@x", {"1@x"}, true),
      Msg(3, 30, "other", "3@x", {"missing@x"}, true),
      Msg(4, 40, "other", "4@x", {"missing@x"}, true),
      Msg(5, 50, "one", "5@x", {"1@x", "2@x"}, true),
  };
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "(1 2 5)((3)(4))");
}

TEST(ThreadReferencesTest, DummyWithOneChildIsPromoted) {
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "x", "1@x", {"gone@x"}),
      Msg(2, 20, "x", "2@x", {"gone@x", "1@x"}, true),
  };
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "(1 2)");
}

TEST(ThreadReferencesTest, MiddleReferencesAreLinkedAndPruned) {
  // 2 refers to <a> then <b>, neither present; the chain a -> b -> 2 has
  // dummies that are pruned away, and 3 replies to 2.
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "s1", "1@x"),
      Msg(2, 20, "s2", "2@x", {"a@x", "b@x"}),
      Msg(3, 30, "s2", "3@x", {"a@x", "b@x", "2@x"}, true),
  };
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "(1)(2 3)");
}

TEST(ThreadReferencesTest, DuplicateMessageIdsStayDistinct) {
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "a", "dup@x"),
      Msg(2, 20, "b", "dup@x"),
      Msg(3, 30, "a", "3@x", {"dup@x"}, true),
  };
  // 3 replies to the first holder of the id; 2 stands alone.
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "(1 3)(2)");
}

TEST(ThreadReferencesTest, LoopsAreNotCreated) {
  // 1 claims 2 as parent and 2 claims 1: the second link would close a loop.
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "a", "1@x", {"2@x"}),
      Msg(2, 20, "b", "2@x", {"1@x"}),
      Msg(3, 30, "c", "3@x", {"3@x"}),  // refers to itself
  };
  const std::vector<ThreadNode> t = ThreadReferences(m);
  EXPECT_EQ(FormatThreads(t), "(2 1)(3)");
}

TEST(ThreadReferencesTest, LaterMessageFixesIncompleteReferences) {
  // 3 names 1 as its only reference; 2 then says 3's parent is <2@x>... in
  // reverse: 2 arrives later with the full chain and re-parents nothing,
  // but 3 itself arrives after 2 with a complete chain.
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "t", "1@x"),
      Msg(2, 30, "t", "3@x", {"1@x"}, true),   // thought a reply to 1
      Msg(3, 20, "t", "2@x", {"1@x"}, true),
      Msg(4, 40, "t", "4@x", {"1@x", "2@x", "3@x"}, true),
  };
  // 4's references link 2@x -> 3@x only if 3@x had no parent: it has one
  // (1@x), so it stays; 4 becomes a child of 3@x (message 2).
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "(1 (3)(2 4))");
}

TEST(ThreadReferencesTest, SameSubjectThreadsAreGathered) {
  // No references at all: replies join the original by base subject.
  const std::vector<ThreadInput> m = {
      Msg(1, 10, "meeting", "1@x"),
      Msg(2, 20, "meeting", "2@x", {}, true),
      Msg(3, 15, "lunch", "3@x"),
      Msg(4, 30, "meeting", "4@x"),
      Msg(5, 5, "", "5@x"),
  };
  // 2 (a reply) becomes a child of 1; 4 (not a reply) shares a new dummy
  // with 1's thread. Empty subjects are never gathered.
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "(5)((1 2)(4))(3)");
}

TEST(ThreadReferencesTest, RootsSortedByDateDummiesByFirstChild) {
  const std::vector<ThreadInput> m = {
      Msg(1, 50, "late", "1@x"),
      Msg(2, 40, "x", "2@x", {"p@x"}),
      Msg(3, 30, "y", "3@x", {"p@x"}),
  };
  EXPECT_EQ(FormatThreads(ThreadReferences(m)), "((3)(2))(1)");
}

TEST(ThreadReferencesTest, VeryDeepChainsAreCut) {
  std::vector<ThreadInput> m;
  for (uint32_t i = 1; i <= 5000; ++i) {
    m.push_back(Msg(i, i, "", std::to_string(i) + "@x",
                    i > 1 ? std::vector<std::string>{std::to_string(i - 1) + "@x"}
                          : std::vector<std::string>{}));
  }
  const std::vector<ThreadNode> t = ThreadReferences(m);
  ASSERT_EQ(t.size(), 5u);  // every 1000th message starts a new thread
  EXPECT_EQ(t[0].id, 1u);
  EXPECT_EQ(t[1].id, 1001u);
}

}  // namespace
}  // namespace mailroom::imap
