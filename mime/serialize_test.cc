#include <string>

#include "gtest/gtest.h"
#include "mime/imap.h"
#include "mime/message.h"
#include "mime/testing/messages.h"

namespace mailroom::mime {
namespace {

using testing::Crlf;

TEST(SerializeTest, RoundTripsEveryField) {
  for (const char* text :
       {testing::kSinglePart, testing::kMixedWithAttachment,
        testing::kNestedAlternative, testing::kMessageAttachment,
        testing::kDigest}) {
    std::string raw = Crlf(text);
    Message m = Parse(raw);
    std::string bytes = Serialize(m);
    std::optional<Message> back = Deserialize(bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->size, m.size);
    EXPECT_EQ(Serialize(*back), bytes);
    EXPECT_EQ(BodyStructure(*back, raw, true), BodyStructure(m, raw, true));
    EXPECT_EQ(Envelope(*back), Envelope(m));
  }
}

TEST(SerializeTest, KeepsOptionalFieldsApart) {
  Message m;
  m.size = 7;
  m.root.description = "";  // present but empty differs from absent
  m.root.language = {"en", "fr"};
  m.root.disposition = "inline";
  m.root.disposition_params = {{"filename", "a b"}};
  m.root.envelope.emplace().subject = "s";
  std::optional<Message> back = Deserialize(Serialize(m));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->root.description, std::optional<std::string>(""));
  EXPECT_FALSE(back->root.content_id.has_value());
  EXPECT_EQ(back->root.language, m.root.language);
  EXPECT_EQ(back->root.disposition_params[0].value, "a b");
  EXPECT_EQ(back->root.envelope->subject, "s");
  EXPECT_FALSE(back->root.envelope->from.has_value());
}

TEST(SerializeTest, RejectsForeignAndCorruptBytes) {
  EXPECT_FALSE(Deserialize("").has_value());
  EXPECT_FALSE(Deserialize("garbage").has_value());
  std::string bytes = Serialize(Parse(Crlf(testing::kMessageAttachment)));
  std::string other_version = bytes;
  other_version[3] = 2;
  EXPECT_FALSE(Deserialize(other_version).has_value());
  EXPECT_FALSE(Deserialize(bytes + "x").has_value());
  // Every truncation and many single-byte corruptions: never a crash.
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(Deserialize(bytes.substr(0, n)).has_value()) << n;
  }
  for (size_t i = 4; i < bytes.size(); ++i) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(0xFF);
    (void)Deserialize(corrupt);
  }
}

}  // namespace
}  // namespace mailroom::mime
