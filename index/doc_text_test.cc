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
  for (int i = 0; i < 1000; ++i) body += "the same line again\n";
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

TEST(DocTextTest, BodyContainsFindsNeedlesAcrossInflateChunks) {
  // Distinct numbered lines, so that each needle occurs once, some of them
  // straddling the boundaries of the pieces inflated at a time.
  std::string body;
  for (int i = 0; i < 3000; ++i) body += "line " + std::to_string(i) + ";";
  const std::string value = EncodeBodyValue(body);
  ASSERT_LT(value.size(), body.size());  // compressed
  for (size_t at : {size_t{0}, size_t{1018}, size_t{1022}, size_t{5116},
                    body.size() - 12}) {
    const std::string needle = body.substr(at, 12);
    auto doc = DocText::Decode(EncodeDocData({}), value);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(doc->BodyContains(needle).value_or(false), true) << at;
    // A later key resumes the same document: both halves still work.
    EXPECT_EQ(doc->BodyContains("line 2999;").value_or(false), true);
    EXPECT_EQ(doc->BodyContains("line 3000;").value_or(true), false);
    EXPECT_EQ(*doc->body(), body);
  }
  auto doc = DocText::Decode(EncodeDocData({}), value);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->BodyContains("no such text").value_or(true), false);
  EXPECT_EQ(doc->BodyContains("").value_or(false), true);
  EXPECT_EQ(*doc->body(), body);
}

// Deflating costs as much per byte as indexing: bodies of a few kilobytes
// are kept as they are, large ones compressed.
TEST(DocTextTest, OnlyLargeBodiesAreCompressed) {
  std::string body;
  while (body.size() < 15 * 1024) body += "the same line again\n";
  std::string value = EncodeBodyValue(body);
  EXPECT_EQ(value[0], 0);  // raw
  EXPECT_GT(value.size(), body.size());
  auto doc = DocText::Decode(EncodeDocData({}), value);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc->body(), body);
  EXPECT_EQ(doc->BodyContains("again\nthe").value_or(false), true);
  while (body.size() < 16 * 1024) body += "the same line again\n";
  value = EncodeBodyValue(body);
  EXPECT_EQ(value[0], 1);  // zlib
  EXPECT_LT(value.size(), body.size() / 4);
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
  EXPECT_EQ(doc->BodyContains("x").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(DocTextTest, TruncatedOrMislabelledBodiesAreDataLoss) {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "word" + std::to_string(i) + " ";
  const std::string value = EncodeBodyValue(body);
  ASSERT_EQ(value[0], 1);  // compressed
  // Cut short: the stream ends before the body does.
  auto doc = DocText::Decode(EncodeDocData({}), value.substr(0, value.size() / 2));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->BodyContains("no such text").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(doc->body().status().code(), absl::StatusCode::kDataLoss);
  // Missing the checksum only.
  doc = DocText::Decode(EncodeDocData({}), value.substr(0, value.size() - 2));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->body().status().code(), absl::StatusCode::kDataLoss);
  // A recorded size one byte short of the stream's (varint after the tag).
  std::string shorter = value;
  ASSERT_EQ(static_cast<unsigned char>(shorter[1]) & 0x80, 0x80);
  shorter[1] = static_cast<char>(static_cast<unsigned char>(shorter[1]) - 1);
  doc = DocText::Decode(EncodeDocData({}), shorter);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->body().status().code(), absl::StatusCode::kDataLoss);
}

// A damaged size must not become a huge allocation when the body is read:
// deflate cannot shrink by more than 1032:1.
TEST(DocTextTest, ImpossibleCompressedSizeIsDataLoss) {
  // Tag 1 (zlib), varint 2^42, then 9 stored bytes.
  const std::string value("\x01\x80\x80\x80\x80\x80\x80\x01xxxxxxxxx", 17);
  EXPECT_EQ(DocText::Decode(EncodeDocData({}), value).status().code(),
            absl::StatusCode::kDataLoss);
  // The largest size 9 bytes could hold is accepted (and found corrupt
  // only when inflated).
  std::string fits("\x01\xc8\x48xxxxxxxxx", 12);  // 9288 = 9 * 1032
  EXPECT_TRUE(DocText::Decode(EncodeDocData({}), fits).ok());
}

}  // namespace
}  // namespace mailroom::index
