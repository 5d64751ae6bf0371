#include "index/document_builder.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "index/doc_text.h"
#include "index/tokenizer.h"
#include "index/schema.h"
#include "xapian.h"

namespace mailroom::index {

namespace {

// Gives each stored word a position (index/schema.h): one more than the
// previous word when exactly one space separates them, two more otherwise
// (other separators, or none: pieces of a long word, CJK characters), and
// kFieldGap more at the start of each field value, so that no phrase spans
// two values.
class Positions {
 public:
  void StartField() {
    next_ += kFieldGap;
    started_ = false;
    previous_end_ = nullptr;
  }
  // The next word does not follow the previous one after one space.
  void Separate() { previous_end_ = nullptr; }
  // `word` points into the text being split, after the previous word.
  Xapian::termpos Place(std::string_view word) {
    if (started_) {
      const bool one_space = previous_end_ != nullptr &&
                             word.data() == previous_end_ + 1 &&
                             *previous_end_ == ' ';
      next_ += one_space ? 1 : 2;
    }
    started_ = true;
    previous_end_ = word.data() + word.size();
    return next_;
  }

 private:
  Xapian::termpos next_ = 0;
  bool started_ = false;
  const char* previous_end_ = nullptr;
};

// Adds words to a document under their prefixes, reporting each new one.
class WordAdder {
 public:
  WordAdder(Xapian::Document& doc, const OnWord& on_word)
      : doc_(doc), on_word_(on_word) {}

  // Adds the words of `text` under `prefix`, at their positions when the
  // prefix keeps them (continuing the current field value); true if a word
  // was too long.
  bool Add(std::string_view prefix, std::string_view text,
           Positions& positions) {
    const bool positioned = PrefixHasPositions(prefix);
    return ForEachWord(text, [&](std::string_view word) {
      scratch_.assign(prefix);
      scratch_.append(word);
      if (!positioned) {
        // Header lines repeat their words (Received: lines above all): a
        // hash set skips a repeat for less than the document's term map.
        if (!unpositioned_.insert(scratch_).second) return;
        doc_.add_term(scratch_, /*wdf_inc=*/0);
        on_word_(word, prefix);
        return;
      }
      // A term new to the document grows its term count: the cheapest way
      // to see each distinct word once, for the vocabulary.
      const Xapian::termcount terms = doc_.termlist_count();
      doc_.add_posting(scratch_, positions.Place(word), /*wdf_inc=*/0);
      if (doc_.termlist_count() != terms) on_word_(word, prefix);
    });
  }

 private:
  Xapian::Document& doc_;
  const OnWord& on_word_;
  std::string scratch_;
  absl::flat_hash_set<std::string> unpositioned_;  // terms added so far
};

bool HasPrefix(const std::string& term, std::string_view prefix) {
  return std::string_view(term).substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string UniqueIdTerm(store::MailboxId mailbox, store::Uid uid) {
  return absl::StrCat(kPrefixUniqueId, mailbox, ":", uid);
}

std::string MailboxTerm(store::MailboxId mailbox) {
  return absl::StrCat(kPrefixMailbox, mailbox);
}

std::string BlobTerm(std::string_view blob_id) {
  if (blob_id.empty() || blob_id.size() + std::string_view(kPrefixBlob).size() > kMaxTermBytes) {
    return "";
  }
  return std::string(kPrefixBlob).append(blob_id);
}

std::string FieldPresentTerm(std::string_view field) {
  if (field.empty() ||
      field.size() + std::string_view(kPrefixFieldPresent).size() > kMaxTermBytes) {
    return "";
  }
  return std::string(kPrefixFieldPresent).append(field);
}

std::string SentDayTerm(int64_t day) {
  return absl::StrCat(kPrefixSentDay, day);
}

std::string_view FieldPrefix(std::string_view field) {
  if (field == "subject") return kPrefixSubject;
  if (field == "from") return kPrefixFrom;
  if (field == "to") return kPrefixTo;
  if (field == "cc") return kPrefixCc;
  if (field == "bcc") return kPrefixBcc;
  return "";
}

Xapian::Document BuildDocument(const FoldedText& text,
                               std::string_view blob_id,
                               store::MailboxId mailbox, store::Uid uid,
                               const OnWord& on_word) {
  Xapian::Document doc;
  doc.add_value(kSlotHeaders, EncodeDocData(text));
  if (!text.body.empty()) doc.add_value(kSlotBody, EncodeBodyValue(text.body));
  doc.add_boolean_term(UniqueIdTerm(mailbox, uid));
  doc.add_boolean_term(MailboxTerm(mailbox));
  if (std::string term = BlobTerm(blob_id); !term.empty()) {
    doc.add_boolean_term(term);
  }
  WordAdder words(doc, on_word);
  bool long_word = false;
  // One position sequence per prefix, so that each has its own gaps.
  Positions any_header, field, body, attachment;
  for (const auto& [name, value] : text.headers) {
    if (std::string term = FieldPresentTerm(name); !term.empty()) {
      doc.add_boolean_term(term);
    }
    // Whole lines: TEXT matches "name: value" too, so the value follows
    // the name in one field (": " is not one space: two positions). A
    // field with a prefix of its own keeps its value there only; the line
    // keeps its name (the planner joins the two for TEXT).
    any_header.StartField();
    long_word |= words.Add(kPrefixAnyHeader, name, any_header);
    if (std::string_view prefix = FieldPrefix(name); !prefix.empty()) {
      field.StartField();
      long_word |= words.Add(prefix, value, field);
    } else {
      any_header.Separate();
      long_word |= words.Add(kPrefixAnyHeader, value, any_header);
    }
  }
  body.StartField();
  long_word |= words.Add(kPrefixBody, text.body, body);
  for (const std::string& name : text.attachment_names) {
    attachment.StartField();
    long_word |= words.Add(kPrefixAttachment, name, attachment);
  }
  if (long_word) doc.add_boolean_term(kPrefixLongWord);
  doc.add_value(kSlotUid, Xapian::sortable_serialise(uid));
  if (text.date.has_value()) {
    // The day as written, in the header's own zone (floor division).
    const int64_t local =
        *text.date + static_cast<int64_t>(text.date_tz_minutes) * 60;
    doc.add_boolean_term(
        SentDayTerm(local / 86400 - (local % 86400 < 0 ? 1 : 0)));
  } else {
    doc.add_boolean_term(kTermUndated);
  }
  return doc;
}

void Relabel(Xapian::Document& doc, store::MailboxId mailbox, store::Uid uid) {
  std::vector<std::string> old_labels;
  for (const std::string_view prefix : {kPrefixUniqueId, kPrefixMailbox}) {
    auto it = doc.termlist_begin();
    it.skip_to(std::string(prefix));
    for (; it != doc.termlist_end() && HasPrefix(*it, prefix); ++it) {
      old_labels.push_back(*it);
    }
  }
  for (const std::string& term : old_labels) doc.remove_term(term);
  doc.add_boolean_term(UniqueIdTerm(mailbox, uid));
  doc.add_boolean_term(MailboxTerm(mailbox));
  doc.add_value(kSlotUid, Xapian::sortable_serialise(uid));
}

store::Uid UidFromValue(const std::string& value) {
  return static_cast<store::Uid>(Xapian::sortable_unserialise(value));
}

}  // namespace mailroom::index
