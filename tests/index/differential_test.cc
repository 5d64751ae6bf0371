// Differential test: thousands of random text search trees, answered by the
// index and by a brute-force scan of the decoded messages; the answers must
// be identical. Messages are synthetic (several charsets, encoded words,
// HTML, attachments) plus, when MAILROOM_CORPUS_DIR is set, real mail.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "bench/search/mail_generator.h"
#include "gtest/gtest.h"
#include "index/query_planner.h"
#include "tests/index/differential_variant.h"
#include "tests/index/index_test_util.h"

namespace mailroom::index::testing {
namespace {

namespace fs = std::filesystem;
using Kind = store::SearchKey::Kind;

constexpr int kSyntheticMessages = 800;
constexpr int kCorpusMessages = 800;
constexpr uint64_t kCorpusMaxBytes = 2 << 20;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The brute-force evaluator: a direct reading of RFC 3501 SEARCH.
bool BruteMatch(const store::SearchKey& key, const BruteDoc& doc) {
  switch (key.kind) {
    case Kind::kAnd:
      return std::all_of(key.children.begin(), key.children.end(),
                         [&](const auto& c) { return BruteMatch(c, doc); });
    case Kind::kOr:
      return std::any_of(key.children.begin(), key.children.end(),
                         [&](const auto& c) { return BruteMatch(c, doc); });
    case Kind::kNot:
      return !BruteMatch(key.children[0], doc);
    case Kind::kHeader: {
      const std::string folded = BruteFold(key.value);
      for (const auto& [name, value] : doc.headers) {
        if (name == key.field && Contains(value, folded)) return true;
      }
      return false;
    }
    case Kind::kBody:
      return Contains(doc.body, BruteFold(key.value));
    case Kind::kText: {
      const std::string folded = BruteFold(key.value);
      for (const auto& [name, value] : doc.headers) {
        if (Contains(name + ": " + value, folded)) return true;
      }
      return Contains(doc.body, folded);
    }
    default:
      return true;
  }
}

std::string Describe(const store::SearchKey& key) {
  switch (key.kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out = key.kind == Kind::kAnd ? "(AND" : "(OR";
      for (const auto& c : key.children) absl::StrAppend(&out, " ", Describe(c));
      return out + ")";
    }
    case Kind::kNot:
      return absl::StrCat("(NOT ", Describe(key.children[0]), ")");
    case Kind::kHeader:
      return absl::StrCat("HEADER ", key.field, " \"", key.value, "\"");
    case Kind::kBody:
      return absl::StrCat("BODY \"", key.value, "\"");
    case Kind::kText:
      return absl::StrCat("TEXT \"", key.value, "\"");
    default:
      return "ALL";
  }
}

struct Mailbox {
  std::string owner;
  store::MailboxId id = 0;
  std::map<store::Uid, size_t> messages;  // uid -> index into messages_
};

class DifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / "differential";
    fs::remove_all(root_);
    auto opened = OpenIndexUnderTest(root_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    index_ = *opened;
  }

  void AddMessage(std::string raw) {
    const std::string blob = absl::StrCat("blob", raws_.size());
    docs_.push_back(BruteExtract(raw));
    blobs_.Put(blob, raw, StoredStructure(raw));
    raws_.push_back(std::move(raw));
  }

  void LoadMessages() {
    bench::MailGeneratorOptions options;
    options.seed = 7;
    options.vocabulary_size = 3000;
    options.median_words = 100;
    options.max_words = 3000;
    options.attachment_share = 0.15;
    options.max_attachment_kb = 3;
    bench::MailGenerator generator(options);
    vocabulary_ = generator.vocabulary();
    for (int i = 0; i < kSyntheticMessages; ++i) AddMessage(generator.Next());
    const char* corpus = std::getenv("MAILROOM_CORPUS_DIR");
    if (corpus == nullptr || !fs::is_directory(corpus)) return;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
      if (entry.is_regular_file() && entry.file_size() <= kCorpusMaxBytes) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.size() > static_cast<size_t>(kCorpusMessages)) {
      // An even sample across the whole corpus (its parts differ in kind).
      std::vector<fs::path> sample;
      for (size_t i = 0; i < kCorpusMessages; ++i) {
        sample.push_back(files[i * files.size() / kCorpusMessages]);
      }
      files = std::move(sample);
    }
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      AddMessage(bytes.str());
    }
    corpus_count_ = files.size();
  }

  // Places messages in mailboxes (with copies sharing a blob) and indexes
  // them in batches, then removes a few.
  void IndexAll() {
    mailboxes_ = {{"alice", 1, {}}, {"alice", 2, {}}, {"alice", 3, {}},
                  {"bob", 9, {}}};
    std::vector<store::IndexWork> work;
    auto place = [&](Mailbox& box, size_t message) {
      const store::Uid uid = static_cast<store::Uid>(box.messages.size() + 1);
      box.messages[uid] = message;
      work.push_back(AddWork(box.owner, box.id, uid,
                             absl::StrCat("blob", message)));
    };
    for (size_t m = 0; m < raws_.size(); ++m) {
      place(m % 5 < 3 ? mailboxes_[0] : mailboxes_[1], m);
      if (m % 7 == 0) place(mailboxes_[2], m);
      if (m % 5 == 0) place(mailboxes_[3], m);
    }
    for (store::Uid uid = 1; uid <= mailboxes_[0].messages.size(); uid += 13) {
      mailboxes_[0].messages.erase(uid);
      work.push_back(RemoveWork("alice", 1, uid));
    }
    for (size_t i = 0; i < work.size(); i += 100) {
      std::vector<store::IndexWork> batch(
          work.begin() + i, work.begin() + std::min(work.size(), i + 100));
      ASSERT_TRUE(index_->Apply(batch, blobs_.Loader()).ok());
    }
  }

  // A substring of `text` of `length` code points, at a random start.
  std::string Substring(const std::string& text, int length) {
    std::vector<size_t> starts;
    for (size_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        starts.push_back(i);
      }
    }
    if (starts.empty() || length == 0) return "";
    const size_t first =
        std::uniform_int_distribution<size_t>(0, starts.size() - 1)(rng_);
    const size_t last = first + length;
    const size_t end = last < starts.size() ? starts[last] : text.size();
    return text.substr(starts[first], end - starts[first]);
  }

  std::string MixCase(std::string value) {
    if (rng_() % 2 == 0) return value;
    for (char& c : value) {
      if (c >= 'a' && c <= 'z' && rng_() % 2 == 0) c = static_cast<char>(c - 32);
    }
    return value;
  }

  store::SearchKey RandomLeaf(const Mailbox& box) {
    auto it = box.messages.begin();
    std::advance(it, rng_() % box.messages.size());
    const BruteDoc& doc = docs_[it->second];
    // Long ones span several words, punctuation and line breaks.
    static constexpr int kLengths[] = {0, 1, 2, 3, 3, 4, 4, 5,
                                       6, 8, 12, 20, 28, 40};
    const int length = kLengths[rng_() % std::size(kLengths)];
    const int pick = static_cast<int>(rng_() % 100);
    // A third of the keys come from the text before folding.
    const bool unfolded = rng_() % 3 == 0;
    auto value_of = [&](size_t header) -> const std::string& {
      return unfolded ? doc.unfolded_values[header] : doc.headers[header].second;
    };
    const std::string& body = unfolded ? doc.unfolded_body : doc.body;
    store::SearchKey key;
    std::string source;
    if (pick < 30 || doc.headers.empty()) {
      key = Body("");
      source = body;
    } else if (pick < 50) {
      key = Text("");
      const size_t h = rng_() % doc.headers.size();
      const int where = static_cast<int>(rng_() % 3);
      // TEXT also matches across a header line's "name: value".
      source = where == 0   ? body
               : where == 1 ? value_of(h)
                            : doc.headers[h].first + ": " + value_of(h);
    } else {
      static constexpr const char* kFields[] = {"subject", "from", "to", "cc",
                                                "bcc"};
      std::string field = pick < 85 ? kFields[(pick - 50) / 7] : "";
      std::vector<size_t> values;
      for (size_t h = 0; h < doc.headers.size(); ++h) {
        if (doc.headers[h].first == field) values.push_back(h);
      }
      if (values.empty()) {
        const size_t h = rng_() % doc.headers.size();
        if (field.empty()) field = doc.headers[h].first;
        values.push_back(h);
      }
      key = Header(field, "");
      source = value_of(values[rng_() % values.size()]);
    }
    const int mutate = static_cast<int>(rng_() % 20);
    if (mutate == 0) {
      key.value = vocabulary_[rng_() % vocabulary_.size()];
    } else if (mutate == 1) {
      key.value = absl::StrCat(Substring(source, length), "q");
    } else {
      key.value = Substring(source, length);
    }
    key.value = MixCase(key.value);
    return key;
  }

  store::SearchKey RandomTree(const Mailbox& box, int depth) {
    if (depth == 0 || rng_() % 10 < 4) return RandomLeaf(box);
    const int op = static_cast<int>(rng_() % 5);
    if (op == 0) return Tree(Kind::kNot, {RandomTree(box, depth - 1)});
    std::vector<store::SearchKey> children;
    for (int n = 2 + static_cast<int>(rng_() % 2); n > 0; --n) {
      children.push_back(RandomTree(box, depth - 1));
    }
    return Tree(op <= 2 ? Kind::kAnd : Kind::kOr, std::move(children));
  }

  // Words of `text` as (begin, end) byte offsets: runs of ASCII letters,
  // digits and non-ASCII bytes (CJK aside, the tokenizer's words).
  static std::vector<std::pair<size_t, size_t>> AsciiWords(
      const std::string& text) {
    std::vector<std::pair<size_t, size_t>> out;
    auto word_char = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             (static_cast<unsigned char>(c) & 0x80) != 0;
    };
    for (size_t i = 0; i < text.size();) {
      if (!word_char(text[i])) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && word_char(text[end])) ++end;
      out.push_back({i, end});
      i = end;
    }
    return out;
  }

  // A phrase key cut from a message: 2-4 words separated by single spaces
  // (ends possibly cut inside words) when `single_spaces`, else a run of
  // words with whatever separators the text has between them.
  store::SearchKey RandomPhrase(const Mailbox& box, bool single_spaces) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      auto it = box.messages.begin();
      std::advance(it, rng_() % box.messages.size());
      const BruteDoc& doc = docs_[it->second];
      const bool body = doc.headers.empty() || rng_() % 3 != 0;
      const size_t h = body ? 0 : rng_() % doc.headers.size();
      const std::string& text = body ? doc.body : doc.headers[h].second;
      const auto words = AsciiWords(text);
      const size_t n = 2 + rng_() % 3;
      if (words.size() < n) continue;
      const size_t first = rng_() % (words.size() - n + 1);
      bool spaced = true;
      for (size_t k = first + 1; k < first + n; ++k) {
        spaced &= words[k].first == words[k - 1].second + 1 &&
                  text[words[k - 1].second] == ' ';
      }
      if (spaced != single_spaces) continue;
      // Plain ASCII words short enough to be stored whole (CJK characters
      // and pieces of long words are two positions apart).
      bool plain = true;
      for (size_t i = words[first].first; i < words[first + n - 1].second;
           ++i) {
        plain &= (static_cast<unsigned char>(text[i]) & 0x80) == 0;
      }
      for (size_t k = first; k < first + n; ++k) {
        plain &= words[k].second - words[k].first <= 64;
      }
      // End words of one or two letters may expand to more stored words
      // than the planner places by positions (they are then left out of the
      // phrase, and the exact check answers): not what this test is about.
      plain &= words[first].second - words[first].first >= 3 &&
               words[first + n - 1].second - words[first + n - 1].first >= 3;
      if (!plain) continue;
      // Cut into the first and last words now and then, leaving at least
      // three characters: a shorter end word may expand to more stored
      // words than the planner places by positions (it is then left out of
      // the phrase, and the exact check answers).
      size_t begin = words[first].first;
      size_t end = words[first + n - 1].second;
      if (rng_() % 3 == 0 && words[first].second - begin > 3) ++begin;
      if (rng_() % 3 == 0 && end - words[first + n - 1].first > 3) --end;
      // Only the body and Subject keep positions (index/schema.h): a
      // header phrase key names Subject, or is a TEXT key (whose body part
      // is placed).
      const bool positioned_field =
          !body && doc.headers[h].first == "subject";
      store::SearchKey key =
          body ? Body("")
               : (rng_() % 2 == 0 || !positioned_field
                      ? Text("")
                      : Header(doc.headers[h].first, ""));
      key.value = MixCase(text.substr(begin, end - begin));
      return key;
    }
    return Body("no such phrase anywhere");
  }

  // A key cut from a header value across a separator ('@', '.', '-', '<',
  // a space...), possibly in another case or before folding (encoded words
  // decoded), on the field itself or on TEXT.
  store::SearchKey RandomHeaderCut(const Mailbox& box) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      auto it = box.messages.begin();
      std::advance(it, rng_() % box.messages.size());
      const BruteDoc& doc = docs_[it->second];
      if (doc.headers.empty()) continue;
      const size_t h = rng_() % doc.headers.size();
      const bool unfolded = rng_() % 4 == 0;
      const std::string& value =
          unfolded ? doc.unfolded_values[h] : doc.headers[h].second;
      const std::string cut =
          Substring(value, 3 + static_cast<int>(rng_() % 24));
      const bool separated =
          std::any_of(cut.begin(), cut.end(), [](char c) {
            const auto b = static_cast<unsigned char>(c);
            return b < 0x80 && !std::isalnum(b);
          });
      if (!separated || cut.find_first_not_of(' ') == std::string::npos) {
        continue;
      }
      return rng_() % 4 == 0 ? Text(MixCase(cut))
                             : Header(doc.headers[h].first, MixCase(cut));
    }
    return Header("from", "no such address anywhere");
  }

  // Opens the index again over the same directory: the vocabulary and the
  // fields of its words are then read from the database.
  void Reopen() {
    index_.reset();
    auto opened = OpenIndexUnderTest(root_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    index_ = *opened;
  }

  // Checks `key` in every mailbox against brute force; false on a mismatch.
  bool AgreesEverywhere(const store::SearchKey& key) {
    for (const Mailbox& box : mailboxes_) {
      std::vector<store::Uid> expected;
      for (const auto& [uid, message] : box.messages) {
        if (BruteMatch(key, docs_[message])) expected.push_back(uid);
      }
      auto actual = index_->Query(box.owner, box.id, key);
      EXPECT_TRUE(actual.ok()) << actual.status() << " for " << Describe(key);
      if (!actual.ok() || *actual != expected) {
        ADD_FAILURE() << box.owner << "/" << box.id << " " << Describe(key)
                      << ": index "
                      << (actual.ok() ? actual->size() : size_t{0})
                      << " uids, brute force " << expected.size();
        return false;
      }
    }
    return true;
  }

  fs::path root_;
  BlobStore blobs_;
  std::shared_ptr<store::TextIndex> index_;
  std::vector<std::string> raws_;
  std::vector<BruteDoc> docs_;
  std::vector<std::string> vocabulary_;
  std::vector<Mailbox> mailboxes_;
  size_t corpus_count_ = 0;
  std::mt19937_64 rng_{20261122};
};

TEST_F(DifferentialTest, IndexAgreesWithBruteForce) {
  const auto start = std::chrono::steady_clock::now();
  LoadMessages();
  const auto loaded = std::chrono::steady_clock::now();
  IndexAll();
  const auto indexed = std::chrono::steady_clock::now();
  std::cout << "messages: " << raws_.size() << " (corpus " << corpus_count_
            << "), load " << (loaded - start) / std::chrono::milliseconds(1)
            << " ms, index " << (indexed - loaded) / std::chrono::milliseconds(1)
            << " ms" << std::endl;
  int failures = 0;
  int non_empty = 0;
  const int queries = QueryCount();
  for (int q = 0; q < queries && failures < 10; ++q) {
    const Mailbox& box = mailboxes_[q % mailboxes_.size()];
    const store::SearchKey key = RandomTree(box, 2);
    std::vector<store::Uid> expected;
    for (const auto& [uid, message] : box.messages) {
      if (BruteMatch(key, docs_[message])) expected.push_back(uid);
    }
    auto actual = index_->Query(box.owner, box.id, key);
    ASSERT_TRUE(actual.ok()) << actual.status() << " for " << Describe(key);
    if (*actual != expected) {
      ++failures;
      ADD_FAILURE() << box.owner << "/" << box.id << " " << Describe(key)
                    << ": index " << actual->size() << " uids, brute force "
                    << expected.size();
    }
    if (!expected.empty() && expected.size() < box.messages.size()) {
      ++non_empty;
    }
  }
  std::cout << "queries: " << (std::chrono::steady_clock::now() - indexed) /
                                  std::chrono::milliseconds(1)
            << " ms" << std::endl;
  // The keys come from the messages: most must select a proper subset.
  EXPECT_GT(non_empty, queries / 3);
}

// Keys of several words are placed by word positions; those whose words
// are separated by single spaces are answered from positions alone, with
// nothing left to verify beyond documents holding words stored in pieces.
TEST_F(DifferentialTest, PhrasesFromPositions) {
  LoadMessages();
  IndexAll();
  PlannerCounters& counters = GetPlannerCounters();
  const int queries = std::max(40, QueryCount() / 10);
  int failures = 0;
  int sure_matches = 0;
  for (int q = 0; q < queries && failures < 5; ++q) {
    const uint64_t placed = counters.phrases_from_positions;
    const uint64_t sure = counters.phrases_sure;
    const store::SearchKey key =
        RandomPhrase(mailboxes_[q % mailboxes_.size()], /*single_spaces=*/true);
    if (!AgreesEverywhere(key)) ++failures;
    // In the mailbox the key was cut from at least (another owner may not
    // have its end words at all: then the vocabulary answers alone).
    EXPECT_GE(counters.phrases_from_positions - placed, 1u) << Describe(key);
    EXPECT_GE(counters.phrases_sure - sure, 1u) << Describe(key);
    auto hits = index_->Query(mailboxes_[0].owner, mailboxes_[0].id, key);
    if (hits.ok()) sure_matches += static_cast<int>(hits->size());
  }
  EXPECT_GT(sure_matches, 0);
  for (int q = 0; q < queries && failures < 5; ++q) {
    const uint64_t placed = counters.phrases_from_positions;
    const store::SearchKey key = RandomPhrase(
        mailboxes_[q % mailboxes_.size()], /*single_spaces=*/false);
    if (!AgreesEverywhere(key)) ++failures;
    EXPECT_GE(counters.phrases_from_positions - placed, 1u) << Describe(key);
  }
  // Two common words rarely stand side by side: the positions, not the
  // words alone, bound what is verified. Only documents holding a word
  // stored in pieces may be left to verify: as many as for a key whose
  // last word is stored nowhere.
  size_t holding_both = 0;
  uint64_t verified = 0;
  uint64_t verified_pieces = 0;
  for (int q = 0; q < queries && failures < 5; ++q) {
    const std::string a = vocabulary_[rng_() % 20];
    const std::string b = vocabulary_[rng_() % 20];
    uint64_t before = counters.documents_verified;
    if (!AgreesEverywhere(Body(absl::StrCat(a, " ", b)))) ++failures;
    verified += counters.documents_verified - before;
    before = counters.documents_verified;
    if (!AgreesEverywhere(Body(absl::StrCat(a, " qqxqstorednowhere")))) {
      ++failures;
    }
    verified_pieces += counters.documents_verified - before;
    for (const Mailbox& box : mailboxes_) {
      for (const auto& [uid, message] : box.messages) {
        holding_both += Contains(docs_[message].body, BruteFold(a)) &&
                        Contains(docs_[message].body, BruteFold(b));
      }
    }
  }
  std::cout << "common-word phrases: verified " << verified
            << " (documents with pieces: " << verified_pieces << ") of "
            << holding_both << " messages holding both words" << std::endl;
  EXPECT_LE(verified, verified_pieces);
}

// Address and header keys across separators: a key on one field expands
// over the words of that field only (learned while indexing, and from the
// terms when the database is opened again), and every answer stays exact.
TEST_F(DifferentialTest, HeaderValuesAcrossSeparators) {
  LoadMessages();
  IndexAll();
  PlannerCounters& counters = GetPlannerCounters();
  int failures = 0;
  const int queries = std::max(60, QueryCount() / 10);
  for (int round = 0; round < 2; ++round) {
    if (round == 1) Reopen();
    for (int q = 0; q < queries && failures < 5; ++q) {
      const uint64_t searches = counters.vocabulary_searches;
      const uint64_t expansions = counters.expansions;
      const store::SearchKey key =
          RandomHeaderCut(mailboxes_[q % mailboxes_.size()]);
      if (!AgreesEverywhere(key)) ++failures;
      // Each key word's expansion is searched for once per mailbox
      // queried, however many prefixes it is expanded for.
      EXPECT_LE(counters.vocabulary_searches - searches,
                counters.expansions - expansions)
          << Describe(key);
    }
  }
  // A fixed case: "example.com" in From but words starting with "com" all
  // over the bodies.
  EXPECT_TRUE(AgreesEverywhere(Header("from", "Example.COM")));
  EXPECT_TRUE(AgreesEverywhere(Header("to", "e.com>")));
  EXPECT_TRUE(AgreesEverywhere(Text("@example.")));
}

}  // namespace
}  // namespace mailroom::index::testing
