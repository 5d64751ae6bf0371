#include "store/internal/metadata_names.h"

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

TEST(MetadataNamesTest, LowerCasesValidNames) {
  EXPECT_EQ(*CanonicalMetadataEntry("/Shared/Comment", false),
            "/shared/comment");
  EXPECT_EQ(*CanonicalMetadataEntry("/private/vendor/x/y", false),
            "/private/vendor/x/y");
}

TEST(MetadataNamesTest, RefusesWhatSection32Forbids) {
  for (const char* bad :
       {"/shared", "/private", "/comment", "shared/comment", "/shared/a*",
        "/shared/a%", "/shared//a", "/shared/a/", "/shared/\x01",
        "/shared/caf\xc3\xa9", "/public/x", ""}) {
    EXPECT_EQ(CanonicalMetadataEntry(bad, false).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(
      CanonicalMetadataEntry("/shared/" + std::string(2000, 'a'), false).ok());
}

TEST(MetadataNamesTest, BareScopesOnlyWhenAllowed) {
  EXPECT_EQ(*CanonicalMetadataEntry("/PRIVATE", true), "/private");
  EXPECT_EQ(*CanonicalMetadataEntry("/shared", true), "/shared");
  EXPECT_FALSE(CanonicalMetadataEntry("/shared/", true).ok());
}

}  // namespace
}  // namespace mailroom::store::internal
