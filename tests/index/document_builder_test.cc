// What BuildDocument stores for one message (index/schema.h).
#include "index/document_builder.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/doc_text.h"
#include "index/schema.h"
#include "xapian.h"

namespace mailroom::index {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

FoldedText Sample() {
  FoldedText text;
  text.headers = {{"subject", "hello hello world"}, {"x-note", "hello"}};
  text.body = "hello there hello";
  return text;
}

// The vocabulary needs each stored word once; repeats within one prefix are
// not reported again.
TEST(DocumentBuilderTest, EachWordReportedOncePerPrefix) {
  std::vector<std::string> words;
  BuildDocument(Sample(), 100, "blob", 1, 7,
                [&](std::string_view word) { words.emplace_back(word); });
  EXPECT_THAT(words, UnorderedElementsAre(
                         "subject", "x", "note", "hello",  // H
                         "hello", "world",                 // S
                         "hello", "there"));               // body
}

// Header text is kept in a value slot (Xapian deflates document data at
// every write, values it stores as they are); the data stays empty.
TEST(DocumentBuilderTest, HeadersInTheirValueSlot) {
  const Xapian::Document doc =
      BuildDocument(Sample(), 100, "blob", 1, 7, [](std::string_view) {});
  EXPECT_EQ(doc.get_data(), "");
  auto text = DocText::Decode(doc.get_value(kSlotHeaders),
                              doc.get_value(kSlotBody));
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_EQ(text->headers().size(), 2u);
  EXPECT_EQ(text->headers()[0].first, "subject");
  EXPECT_EQ(text->headers()[0].second, "hello hello world");
  EXPECT_EQ(*text->body(), "hello there hello");
  // The subject's words under S only; H keeps the line's name.
  std::vector<std::string> header_terms;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    if ((*it)[0] == 'H' || (*it)[0] == 'S') header_terms.push_back(*it);
  }
  EXPECT_THAT(header_terms, ElementsAre("Hhello", "Hnote", "Hsubject", "Hx",
                                        "Shello", "Sworld"));
}

// Positions only under the body, Subject and attachment-name prefixes.
TEST(DocumentBuilderTest, PositionsOnlyWherePhrasesArePlaced) {
  FoldedText text = Sample();
  text.headers.push_back({"from", "ann lee"});
  text.attachment_names = {"big plan.pdf"};
  const Xapian::Document doc =
      BuildDocument(text, 100, "blob", 1, 7, [](std::string_view) {});
  std::vector<std::string> positioned, bare;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    if ((*it)[0] == 'X' || (*it)[0] == 'Q') continue;  // boolean terms
    (it.positionlist_count() > 0 ? positioned : bare).push_back(*it);
  }
  EXPECT_THAT(positioned,
              ElementsAre("Abig", "Apdf", "Aplan", "Shello", "Sworld",
                          "hello", "there"));
  EXPECT_THAT(bare, ElementsAre("Fann", "Flee", "Hfrom", "Hhello", "Hnote",
                                "Hsubject", "Hx"));
}

}  // namespace
}  // namespace mailroom::index
