// libFuzzer target: the text-search query planner against a small in-memory
// index. The input encodes a SEARCH key tree (AND/OR/NOT over HEADER, BODY
// and TEXT keys with arbitrary values); the planner's promise is checked
// against exact verification of every document: each matching document is
// in `sure` or `maybe`, each `sure` one matches, the two sets are ascending
// and disjoint, and other mailboxes' documents never appear. The stored
// document encoding (DocText) is also fed the raw input, as a damaged
// index file would present it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/doc_text.h"
#include "index/document_builder.h"
#include "index/matcher.h"
#include "index/query_planner.h"
#include "index/schema.h"
#include "index/vocabulary.h"
#include "mime/text.h"
#include "xapian.h"

namespace {

using namespace mailroom::index;
using mailroom::store::SearchKey;
using Kind = SearchKey::Kind;

void Check(bool ok) {
  if (!ok) abort();
}

std::string Fold(std::string_view utf8) {
  return mailroom::mime::SearchFold(utf8);
}

struct Message {
  mailroom::store::MailboxId mailbox;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::string> attachments;
};

struct Index {
  Xapian::WritableDatabase db{std::string(), Xapian::DB_BACKEND_INMEMORY};
  Vocabulary vocabulary;
  std::map<Xapian::docid, mailroom::store::MailboxId> mailbox_of;
};

Index& TheIndex() {
  static Index* index = [] {
    auto* ix = new Index;
    const std::vector<Message> messages = {
        {1,
         {{"from", "Alice Example <alice@example.com>"},
          {"to", "bob@example.org"},
          {"subject", "Quarterly report Q3"}},
         "Please find the quarterly report attached.\nRegards, Alice",
         {"report-q3.pdf"}},
        {1,
         {{"from", "Bob <bob@example.org>"},
          {"subject", "Re: Quarterly report Q3"},
          {"list-id", "<finance.lists.example.com>"}},
         "> Please find the report\nThanks! Numbers look fine: 12,345.67",
         {}},
        {1,
         {{"from", "Ren\xc3\xa9 M\xc3\xbcller <rene@example.de>"},
          {"subject", "R\xc3\xa9union \xc3\xa0 Z\xc3\xbcrich"},
          {"cc", "\xc3\x89lodie <elodie@example.fr>"}},
         "La r\xc3\xa9union aura lieu \xc3\xa0 10h. Stra\xc3\x9f" "e 5.",
         {}},
        {1,
         {{"from", "\xe5\xbc\xa0\xe4\xbc\x9f <zhang@example.cn>"},
          {"subject", "\xe4\xbc\x9a\xe8\xae\xae\xe8\xae\xb0\xe5\xbd\x95"}},
         "\xe4\xbb\x8a\xe5\xa4\xa9\xe7\x9a\x84\xe4\xbc\x9a\xe8\xae\xae", {}},
        {1, {{"subject", ""}}, "", {}},
        {1,
         {{"from", "noreply@shop.example"},
          {"subject", "Your order #A-1234 has shipped"},
          {"x-mailer", "ShopMailer 2.0"}},
         std::string(3000, 'x') + " tracking number 1Z999AA10123456784",
         {"invoice.pdf", "label.png"}},
        {2,
         {{"from", "alice@example.com"}, {"subject", "Quarterly report Q3"}},
         "Other mailbox, same words: quarterly report",
         {}},
        {2, {{"from", "carol@example.net"}}, "unrelated", {}},
    };
    mailroom::store::Uid uid = 1;
    for (const Message& m : messages) {
      FoldedText text;
      for (const auto& [name, value] : m.headers) {
        text.headers.emplace_back(name, Fold(value));
      }
      text.body = Fold(m.body);
      for (const std::string& a : m.attachments) {
        text.attachment_names.push_back(Fold(a));
      }
      Xapian::Document doc = BuildDocument(
          text, "blob" + std::to_string(uid), m.mailbox, uid,
          [ix](std::string_view word, std::string_view) {
            ix->vocabulary.Add(word);
          });
      const Xapian::docid id =
          ix->db.replace_document(UniqueIdTerm(m.mailbox, uid), doc);
      ix->mailbox_of[id] = m.mailbox;
      ++uid;
    }
    ix->db.commit();
    return ix;
  }();
  return *index;
}

// Reads a key tree from the input bytes.
class KeyReader {
 public:
  explicit KeyReader(std::string_view in) : in_(in) {}

  SearchKey Read(int depth) {
    SearchKey key;
    const uint8_t op = Byte();
    switch (depth >= 6 ? 3 + op % 4 : op % 8) {
      case 0:
      case 7: {
        key.kind = Kind::kAnd;
        const int n = Byte() % 4;
        for (int i = 0; i < n; ++i) key.children.push_back(Read(depth + 1));
        break;
      }
      case 1:
        key.kind = Kind::kOr;
        key.children.push_back(Read(depth + 1));
        key.children.push_back(Read(depth + 1));
        break;
      case 2:
        key.kind = Kind::kNot;
        key.children.push_back(Read(depth + 1));
        break;
      case 3: {
        static const char* const kFields[] = {
            "from", "to", "cc", "bcc", "subject", "list-id", "x-mailer",
            "message-id"};
        key.kind = Kind::kHeader;
        key.field = kFields[Byte() % 8];
        key.value = String();
        break;
      }
      case 4:
        key.kind = Kind::kBody;
        key.value = String();
        break;
      case 5:
      case 6:
        key.kind = Kind::kText;
        key.value = String();
        break;
    }
    return key;
  }

 private:
  uint8_t Byte() {
    if (in_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  // Up to the next NUL (or the end): values may hold any other byte.
  std::string String() {
    const size_t end = in_.find('\0');
    std::string s(in_.substr(0, end));
    in_.remove_prefix(end == std::string_view::npos ? in_.size() : end + 1);
    return s;
  }

  std::string_view in_;
};

void CheckPlan(const CompiledKey& key, mailroom::store::MailboxId mailbox) {
  Index& ix = TheIndex();
  const Candidates c = FindCandidates(key, ix.vocabulary, ix.db, mailbox);
  Check(std::is_sorted(c.sure.begin(), c.sure.end()));
  Check(std::is_sorted(c.maybe.begin(), c.maybe.end()));
  for (Xapian::docid id : c.sure) {
    Check(!std::binary_search(c.maybe.begin(), c.maybe.end(), id));
  }
  for (const auto& [id, box] : ix.mailbox_of) {
    const bool sure = std::binary_search(c.sure.begin(), c.sure.end(), id);
    const bool maybe = std::binary_search(c.maybe.begin(), c.maybe.end(), id);
    if (box != mailbox) {
      Check(!sure && !maybe);
      continue;
    }
    Xapian::Document doc = ix.db.get_document(id);
    absl::StatusOr<DocText> text =
        DocText::Decode(doc.get_value(kSlotHeaders),
                        doc.get_value(kSlotBody));
    Check(text.ok());
    absl::StatusOr<bool> matches = Matches(key, *text);
    Check(matches.ok());
    if (*matches) Check(sure || maybe);
    if (sure) Check(*matches);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  KeyReader reader(input);
  const SearchKey key = reader.Read(0);
  absl::StatusOr<CompiledKey> compiled = CompileKey(key, Fold);
  if (compiled.ok()) {
    CheckPlan(*compiled, 1);
    CheckPlan(*compiled, 2);
  }

  // The raw input as stored document data and body value.
  const size_t split = input.find('\xff');
  absl::StatusOr<DocText> stored = DocText::Decode(
      std::string(input.substr(0, split)),
      split == std::string_view::npos ? std::string()
                                      : std::string(input.substr(split + 1)));
  if (stored.ok()) {
    (void)stored->BodyContains("report");
    (void)stored->body();
  }
  return 0;
}
