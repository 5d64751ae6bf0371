#include "store/internal/private_flags.h"

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

const Flags kHelpdesk{kSeen | kFlagged, {"$Todo"}};

TEST(PrivateFlagsTest, DeletedCannotBePrivate) {
  absl::StatusOr<Flags> set = NormalizePrivateFlags(Flags{kDeleted, {}});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(NormalizePrivateFlags(Flags{0, {"\\Recent"}}).ok());
  set = NormalizePrivateFlags(Flags{kFlagged, {"$todo", "$Todo", "$A"}});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->keywords, (std::vector<std::string>{"$A", "$todo"}));
}

TEST(PrivateFlagsTest, SplitKeepsSharedValuesOfPrivateFlags) {
  Flags shared{kAnswered, {"$Assigned"}};
  Flags wanted{kAnswered | kFlagged | kSeen, {"$Assigned", "$todo", "$Other"}};
  Flags new_shared;
  SeenRow row;
  ASSERT_TRUE(SplitPrivate(kHelpdesk, shared, shared, wanted, std::nullopt,
                           &new_shared, &row));
  EXPECT_EQ(new_shared.system, uint32_t{kAnswered});
  EXPECT_EQ(new_shared.keywords,
            (std::vector<std::string>{"$Assigned", "$Other"}));
  EXPECT_EQ(row.system_mask, uint32_t{kSeen | kFlagged});
  EXPECT_TRUE(row.seen);
  EXPECT_EQ(row.system, uint32_t{kFlagged});
  EXPECT_EQ(row.keyword_mask, (std::vector<std::string>{"$Todo"}));
  EXPECT_EQ(row.keywords, (std::vector<std::string>{"$Todo"}));

  Flags view = new_shared;
  ApplyRow(row, &view);
  EXPECT_EQ(view.system, uint32_t{kAnswered | kFlagged | kSeen});
  EXPECT_EQ(view.keywords,
            (std::vector<std::string>{"$Assigned", "$Other", "$Todo"}));
}

TEST(PrivateFlagsTest, RowOverridesOnlyWhatTheUserChanged) {
  Flags shared{kSeen, {}};
  Flags wanted{kSeen | kFlagged, {}};
  Flags new_shared;
  SeenRow row;
  ASSERT_TRUE(SplitPrivate(kHelpdesk, shared, shared, wanted, std::nullopt,
                           &new_shared, &row));
  EXPECT_EQ(row.system_mask, uint32_t{kFlagged});
  EXPECT_EQ(SeenDelta(row, true), 0);
  // The shared \Seen still reaches the user: the row does not name it.
  Flags later{0, {}};
  ApplyRow(row, &later);
  EXPECT_EQ(later.system, uint32_t{kFlagged});
  // No change of a private value: no new row.
  SeenRow again;
  EXPECT_FALSE(SplitPrivate(kHelpdesk, shared, wanted, wanted, row,
                            &new_shared, &again));
}

TEST(PrivateFlagsTest, NewMessageLeavesPrivateFlagsClearForOthers) {
  Flags shared;
  SeenRow row;
  ASSERT_TRUE(SplitNewMessage(kHelpdesk, Flags{kSeen | kAnswered, {"$todo"}},
                              &shared, &row));
  EXPECT_EQ(shared.system, uint32_t{kAnswered});
  EXPECT_TRUE(shared.keywords.empty());
  EXPECT_TRUE(row.seen);
  EXPECT_EQ(row.keywords, (std::vector<std::string>{"$Todo"}));
  EXPECT_FALSE(SplitNewMessage(kHelpdesk, Flags{kAnswered, {}}, &shared, &row));
}

TEST(PrivateFlagsTest, RestrictDropsOverridesOfFlagsNoLongerPrivate) {
  SeenRow row{true, 5, kSeen | kFlagged, kFlagged, {"$Todo"}, {"$Todo"}};
  EXPECT_FALSE(RestrictRow(kHelpdesk, &row));
  ASSERT_TRUE(RestrictRow(Flags{kFlagged, {}}, &row));
  EXPECT_EQ(row.system_mask, uint32_t{kFlagged});
  EXPECT_FALSE(row.seen);
  EXPECT_TRUE(row.keyword_mask.empty());
  EXPECT_TRUE(row.keywords.empty());
  ASSERT_TRUE(RestrictRow(Flags{kSeen, {}}, &row));
  EXPECT_TRUE(RowIsEmpty(row));
}

}  // namespace
}  // namespace mailroom::store::internal
