// Every message of the real-mail corpus (scripts/fetch_corpus.sh) parses into
// a consistent structure, renders for IMAP, yields text and survives the
// structure cache. Needs MAILROOM_CORPUS_DIR; fails without it so that a CI
// run without the corpus cannot pass silently.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mime/charset.h"
#include "mime/imap.h"
#include "mime/message.h"
#include "mime/testing/tiling.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  const char* dir = std::getenv("MAILROOM_CORPUS_DIR");
  if (dir == nullptr || *dir == '\0' || !fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string ToCrlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 30);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
    out.push_back(s[i]);
  }
  return out;
}

// Checks that an IMAP parenthesised list is well formed: parentheses
// balance outside quoted strings and literals, literals hold their count.
std::string CheckImapList(std::string_view s) {
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;
        if (s[i] == '\r' || s[i] == '\n') return "line break in quoted string";
      }
      if (i >= s.size()) return "unterminated quoted string";
    } else if (c == '{') {
      size_t close = s.find("}\r\n", i);
      if (close == std::string_view::npos) return "bad literal";
      size_t n = std::stoul(std::string(s.substr(i + 1, close - i - 1)));
      i = close + 3 + n - 1;
      if (i >= s.size()) return "literal beyond the end";
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return "unbalanced ')'";
    } else if (c == '\r' || c == '\n' || c == '\0') {
      return "control character outside a literal";
    }
  }
  return depth == 0 ? "" : "unbalanced '('";
}

// Every part's MIME header is directly followed by its body, as served.
void CheckSections(const Message& m, std::string_view raw, const Part& part,
                   std::vector<uint32_t>* path, const std::string& name) {
  if (!path->empty()) {
    const Part* resolved = ResolvePart(m, *path);
    ASSERT_NE(resolved, nullptr) << name;
    SectionSpec body_spec;
    body_spec.part = *path;
    SectionSpec mime_spec = body_spec;
    mime_spec.text = SectionSpec::Text::kMime;
    absl::StatusOr<Span> body = SectionSpan(m, body_spec);
    absl::StatusOr<Span> mime = SectionSpan(m, mime_spec);
    ASSERT_TRUE(body.ok() && mime.ok()) << name;
    EXPECT_EQ(mime->end(), body->offset) << name;
  }
  const std::vector<Part>* children = &part.children;
  if (part.is_message() && !part.children.empty()) {
    const Part& inner = part.children.front();
    if (!inner.is_multipart()) return;  // its only part is itself
    children = &inner.children;
  }
  for (size_t i = 0; i < children->size(); ++i) {
    path->push_back(static_cast<uint32_t>(i + 1));
    CheckSections(m, raw, (*children)[i], path, name);
    path->pop_back();
  }
}

TEST(CorpusTest, EveryMessageParsesRendersAndRoundTrips) {
  std::vector<fs::path> files = CorpusFiles();
  ASSERT_FALSE(files.empty())
      << "MAILROOM_CORPUS_DIR is unset, empty or not a directory: run "
         "scripts/fetch_corpus.sh and pass its directory with "
         "--test_env=MAILROOM_CORPUS_DIR=<dir>";
  ASSERT_GE(files.size(), 1000u) << "the corpus looks truncated";
  size_t multipart = 0, with_text = 0;
  for (const fs::path& file : files) {
    std::string original = ReadFile(file);
    for (const std::string& raw : {original, ToCrlf(original)}) {
      const std::string name = file.string();
      Message m = Parse(raw);
      ASSERT_EQ(testing::CheckTiling(m), "") << name;
      if (m.root.is_multipart()) ++multipart;

      std::string bs = BodyStructure(m, raw, true);
      ASSERT_EQ(CheckImapList(bs), "") << name << "\n" << bs;
      ASSERT_EQ(CheckImapList(BodyStructure(m, raw, false)), "") << name;
      ASSERT_EQ(CheckImapList(Envelope(m)), "") << name;
      std::vector<uint32_t> path;
      CheckSections(m, raw, m.root, &path, name);

      ExtractedText text = ExtractText(m, raw);
      ASSERT_TRUE(IsValidUtf8(text.body)) << name;
      if (!text.body.empty()) ++with_text;

      std::string cached = Serialize(m);
      std::optional<Message> back = Deserialize(cached);
      ASSERT_TRUE(back.has_value()) << name;
      ASSERT_EQ(Serialize(*back), cached) << name;
      ASSERT_EQ(BodyStructure(*back, raw, true), bs) << name;
    }
  }
  EXPECT_GT(multipart, files.size() / 20);
  EXPECT_GT(with_text, files.size());
}

}  // namespace
}  // namespace mailroom::mime
