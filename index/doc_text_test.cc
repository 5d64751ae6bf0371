#include "index/doc_text.h"

#include <string>

#include "gtest/gtest.h"

namespace mailroom::index {
namespace {

TEST(DocTextTest, RoundTripsHeadersAndCompressedBody) {
  FoldedText text;
  text.headers = {{"subject", "hello"}, {"x-empty", ""}};
  text.attachment_names = {"report.pdf"};
  std::string body;
  for (int i = 0; i < 200; ++i) body += "the same line again\n";
  const std::string value = EncodeBodyValue(body);
  EXPECT_LT(value.size(), body.size() / 4);  // compressed
  auto doc = DocText::Decode(EncodeDocData(text), value);
  ASSERT_TRUE(doc.ok()) << doc.status();
  ASSERT_EQ(doc->headers().size(), 2u);
  EXPECT_EQ(doc->headers()[0].first, "subject");
  EXPECT_EQ(doc->headers()[0].second, "hello");
  EXPECT_EQ(doc->headers()[1].second, "");
  EXPECT_EQ(doc->attachment_names()[0], "report.pdf");
  auto decoded = doc->body();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, body);
}

TEST(DocTextTest, ShortAndEmptyBodies) {
  auto doc = DocText::Decode(EncodeDocData({}), EncodeBodyValue("hi"));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc->body(), "hi");
  doc = DocText::Decode(EncodeDocData({}), "");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc->body(), "");
}

TEST(DocTextTest, CorruptDataIsDataLoss) {
  EXPECT_EQ(DocText::Decode("\x05", "").status().code(),
            absl::StatusCode::kDataLoss);
  auto doc = DocText::Decode(EncodeDocData({}), std::string("\x01\x64xx", 4));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->body().status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace mailroom::index
