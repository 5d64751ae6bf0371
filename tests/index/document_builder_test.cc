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
  BuildDocument(Sample(), "blob", 1, 7,
                [&](std::string_view word, std::string_view prefix) {
                  words.push_back(std::string(prefix).append(word));
                });
  EXPECT_THAT(words, UnorderedElementsAre("Hsubject", "Hx", "Hnote", "Hhello",
                                          "Shello", "Sworld",  //
                                          "hello", "there"));
}

// Header text is kept in a value slot (Xapian deflates document data at
// every write, values it stores as they are); the data stays empty.
TEST(DocumentBuilderTest, HeadersInTheirValueSlot) {
  const Xapian::Document doc =
      BuildDocument(Sample(), "blob", 1, 7, [](std::string_view, std::string_view) {});
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

// Slots 1 and 2 (the Date: header and the size) are no longer kept: no
// search read them (index/schema.h).
TEST(DocumentBuilderTest, NoDateOrSizeValues) {
  FoldedText text = Sample();
  text.date = 1000000000;
  const Xapian::Document doc =
      BuildDocument(text, "blob", 1, 7, [](std::string_view, std::string_view) {});
  EXPECT_EQ(doc.get_value(1), "");
  EXPECT_EQ(doc.get_value(2), "");
  EXPECT_NE(doc.get_value(kSlotUid), "");
  EXPECT_EQ(doc.values_count(), 3u);  // uid, body, headers
}

// Positions only under the body, Subject and attachment-name prefixes.
TEST(DocumentBuilderTest, PositionsOnlyWherePhrasesArePlaced) {
  FoldedText text = Sample();
  text.headers.push_back({"from", "ann lee"});
  text.attachment_names = {"big plan.pdf"};
  const Xapian::Document doc =
      BuildDocument(text, "blob", 1, 7, [](std::string_view, std::string_view) {});
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
