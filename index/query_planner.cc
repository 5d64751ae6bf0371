#include "index/query_planner.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <numeric>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "index/document_builder.h"
#include "index/schema.h"
#include "index/tokenizer.h"

namespace mailroom::index {

namespace {

using Kind = store::SearchKey::Kind;
using DocSet = std::vector<Xapian::docid>;

static_assert(2 * kMaxPhraseWords < kFieldGap,
              "a phrase window must not span two field values");

DocSet Union(const DocSet& a, const DocSet& b) {
  DocSet out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(),
                 std::back_inserter(out));
  return out;
}

DocSet Intersect(const DocSet& a, const DocSet& b) {
  DocSet out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                        std::back_inserter(out));
  return out;
}

DocSet Minus(const DocSet& a, const DocSet& b) {
  DocSet out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(out));
  return out;
}


class Finder {
 public:
  Finder(const Vocabulary& vocabulary, Xapian::Database& db,
         store::MailboxId mailbox)
      : vocabulary_(vocabulary), db_(db), mailbox_(MailboxTerm(mailbox)) {}

  Candidates Eval(const CompiledKey& key) {
    switch (key.kind) {
      case Kind::kAnd: {
        Candidates out{All(), {}};
        DocSet possible = All();
        for (const CompiledKey& child : key.children) {
          Candidates c = Eval(child);
          out.sure = Intersect(out.sure, c.sure);
          possible = Intersect(possible, Union(c.sure, c.maybe));
        }
        out.maybe = Minus(possible, out.sure);
        return out;
      }
      case Kind::kOr: {
        Candidates out;
        DocSet maybe;
        for (const CompiledKey& child : key.children) {
          Candidates c = Eval(child);
          out.sure = Union(out.sure, c.sure);
          maybe = Union(maybe, c.maybe);
        }
        out.maybe = Minus(maybe, out.sure);
        return out;
      }
      case Kind::kNot: {
        Candidates inner = Eval(key.children[0]);
        return {Minus(All(), Union(inner.sure, inner.maybe)),
                std::move(inner.maybe)};
      }
      case Kind::kHeader:
        return Header(key);
      case Kind::kBody:
        if (key.folded.empty()) return {All(), {}};
        return Field(kPrefixBody, key.folded);
      case Kind::kText:
        if (key.folded.empty()) return {All(), {}};
        return Text(key.folded);
      default:
        return {All(), {}};  // kAll
    }
  }

  SentDateDocs SentDate(Kind kind, int64_t day) {
    // A mailbox spans a few thousand days at most: pick the day terms in
    // range and take the union of their posting lists.
    const std::string prefix = kPrefixSentDay;
    std::vector<std::string> terms;
    for (auto it = db_.allterms_begin(prefix); it != db_.allterms_end(prefix);
         ++it) {
      const std::string& term = *it;
      int64_t d = 0;
      const char* end = term.data() + term.size();
      if (std::from_chars(term.data() + prefix.size(), end, d).ptr != end) {
        continue;
      }
      const bool match = kind == Kind::kSentBefore ? d < day
                         : kind == Kind::kSentOn   ? d == day
                                                   : d >= day;
      if (match) terms.push_back(term);
    }
    ++GetPlannerCounters().sent_dates;
    return {Postings(terms), Postings(std::string(kTermUndated))};
  }

 private:
  // TEXT: the body or any header line "name: value". Lines are stored
  // under H (names, and the values of fields without a prefix of their
  // own) and under the field prefixes (the values of Subject, From, To,
  // Cc, Bcc; index/schema.h).
  Candidates Text(const std::string& folded) {
    DocSet sure, maybe;
    auto add = [&](Candidates c) {
      sure = Union(sure, c.sure);
      maybe = Union(maybe, c.maybe);
    };
    add(Field(kPrefixBody, folded));
    add(Field(kPrefixAnyHeader, folded));
    for (std::string_view field : kFieldsWithPrefix) {
      add(Field(FieldPrefix(field), folded));
    }
    maybe = Union(maybe, AcrossNameAndValue(folded));
    return {sure, Minus(maybe, sure)};
  }

  // Candidates for a TEXT key spanning the name and the value of a field
  // with a prefix of its own ("ject: hello" in "subject: hello world"):
  // the key starts with the end of the name, then ':'; what follows the
  // ": " must begin the value.
  DocSet AcrossNameAndValue(std::string_view folded) {
    const size_t colon = folded.find(':');
    if (colon == std::string_view::npos || colon == 0) return {};
    const std::string_view name_end = folded.substr(0, colon);
    std::string_view rest = folded.substr(colon + 1);
    if (rest.starts_with(' ')) rest.remove_prefix(1);
    DocSet out;
    for (std::string_view field : kFieldsWithPrefix) {
      if (!field.ends_with(name_end)) continue;
      DocSet docs;
      bool has_separator = false;
      if (rest.empty() || SplitKey(rest, &has_separator).empty()) {
        docs = Postings(FieldPresentTerm(field));
      } else {
        Candidates value = Field(FieldPrefix(field), std::string(rest));
        docs = Union(value.sure, value.maybe);
      }
      out = Union(out, docs);
    }
    return out;
  }

  // The words under `prefix` matching `part` as `match` says (appended to
  // `out`); false when more than `limit` do. The vocabulary is searched once
  // per key word and match (a TEXT key asks for each of its seven prefixes)
  // and the result kept for the rest of the query.
  bool Expand(std::string_view prefix, std::string_view part,
              Vocabulary::Match match, size_t limit,
              std::vector<std::string_view>* out) {
    auto [entry, fresh] =
        expansions_.try_emplace(std::make_pair(std::string(part), match));
    Expansion& expansion = entry->second;
    if (fresh) {
      ++GetPlannerCounters().vocabulary_searches;
      expansion.complete = vocabulary_.FindWords(part, match, kMaxExpansion,
                                                 &expansion.words);
    }
    if (!expansion.complete) return false;
    // Body words are most of the vocabulary: not filtered.
    const FieldMask bit = prefix.empty() ? kAnyField : FieldBit(prefix);
    const size_t before = out->size();
    for (std::string_view word : expansion.words) {
      if (bit != kAnyField && (vocabulary_.FieldsOf(word) & bit) == 0) {
        continue;
      }
      if (out->size() >= limit) return false;
      out->push_back(word);
    }
    PlannerCounters& counters = GetPlannerCounters();
    ++counters.expansions;
    counters.words_expanded += out->size() - before;
    return true;
  }

  // Documents of the mailbox holding any of `terms`, ascending. Posting
  // lists are read directly: an Enquire would build a ranked MSet, which
  // costs more than the lists themselves for this boolean work.
  DocSet Postings(const std::vector<std::string>& terms) {
    DocSet out;
    if (terms.size() > 1) {
      // A large union (a short key inside thousands of words) is cheaper
      // marked in a bitmap than sorted.
      const Xapian::docid last = db_.get_lastdocid();
      uint64_t postings = 0;
      for (const std::string& term : terms) postings += db_.get_termfreq(term);
      if (postings > last / 32) {
        std::vector<bool> seen(static_cast<size_t>(last) + 1, false);
        for (const std::string& term : terms) {
          for (auto it = db_.postlist_begin(term);
               it != db_.postlist_end(term); ++it) {
            seen[*it] = true;
          }
        }
        for (Xapian::docid d = 1; d <= last; ++d) {
          if (seen[d]) out.push_back(d);
        }
        return InMailbox(std::move(out));
      }
    }
    for (const std::string& term : terms) {
      for (auto it = db_.postlist_begin(term); it != db_.postlist_end(term);
           ++it) {
        out.push_back(*it);
      }
    }
    if (terms.size() > 1) {
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
    return InMailbox(std::move(out));
  }

  DocSet Postings(std::string term) {
    return Postings(std::vector<std::string>{std::move(term)});
  }

  // Documents of the mailbox holding any of prefix+word.
  DocSet AnyTerm(std::string_view prefix,
                 const std::vector<std::string_view>& words) {
    std::vector<std::string> terms;
    terms.reserve(words.size());
    for (std::string_view word : words) {
      terms.push_back(std::string(prefix).append(word));
    }
    return Postings(terms);
  }

  bool WholeDatabase() {
    if (!whole_database_.has_value()) {
      // Often one mailbox holds every document: no filtering then.
      whole_database_ = db_.get_termfreq(mailbox_) == db_.get_doccount();
    }
    return *whole_database_;
  }

  DocSet InMailbox(DocSet docs) {
    if (docs.empty() || WholeDatabase()) return docs;
    return Intersect(docs, All());
  }

  const DocSet& All() {
    if (!all_.has_value() && WholeDatabase() &&
        db_.get_lastdocid() == db_.get_doccount()) {
      // Every docid from 1 on is in use and in the mailbox: no posting list
      // to read (a million-document NOT or AND starts from this set).
      DocSet docs(db_.get_doccount());
      std::iota(docs.begin(), docs.end(), Xapian::docid{1});
      all_ = std::move(docs);
    }
    if (!all_.has_value()) {
      DocSet docs;
      docs.reserve(db_.get_termfreq(mailbox_));
      for (auto it = db_.postlist_begin(mailbox_);
           it != db_.postlist_end(mailbox_); ++it) {
        docs.push_back(*it);
      }
      all_ = std::move(docs);
    }
    return *all_;
  }

  const DocSet& LongWords() {
    if (!long_words_.has_value()) long_words_ = Postings(kPrefixLongWord);
    return *long_words_;
  }

  // Documents whose `prefix` field may hold key word `word` (bounded as the
  // key says); nullopt when it is too common to narrow anything.
  std::optional<DocSet> WordCandidates(std::string_view prefix,
                                       const KeyWord& word) {
    if (word.text.size() > kMaxWordBytes) return LongWords();
    if (word.bounded_left && word.bounded_right) {
      return Postings(std::string(prefix).append(word.text));
    }
    std::vector<std::string_view> found;
    const Vocabulary::Match match =
        word.bounded_left    ? Vocabulary::Match::kStartsWith
        : word.bounded_right ? Vocabulary::Match::kEndsWith
                             : Vocabulary::Match::kContains;
    if (!Expand(prefix, word.text, match, kMaxExpansion, &found)) {
      return std::nullopt;
    }
    // A word stored in pieces may hold the part across a cut.
    return Union(AnyTerm(prefix, found), LongWords());
  }

  // A non-empty text key on one field prefix.
  Candidates Field(std::string_view prefix, const std::string& folded) {
    bool has_separator = false;
    const std::vector<KeyWord> words = SplitKey(folded, &has_separator);
    if (words.empty()) return {{}, All()};
    if (words.size() == 1 && !has_separator) {
      const KeyWord& word = words[0];
      if (word.bounded_left && word.bounded_right) {  // one CJK character
        return {Postings(std::string(prefix).append(word.text)), {}};
      }
      if (word.text.size() > kMaxWordBytes) return {{}, LongWords()};
      std::vector<std::string_view> found;
      if (!Expand(prefix, word.text, Vocabulary::Match::kContains,
                  kMaxExpansion, &found)) {
        return {{}, All()};
      }
      DocSet sure = AnyTerm(prefix, found);
      return {sure, Minus(LongWords(), sure)};
    }
    // Words stored without positions get per-word candidates, verified.
    if (PrefixHasPositions(prefix)) {
      if (std::optional<Candidates> phrase = Phrase(prefix, folded, words)) {
        return *std::move(phrase);
      }
    }
    std::optional<DocSet> candidates;
    for (const KeyWord& word : words) {
      std::optional<DocSet> docs = WordCandidates(prefix, word);
      if (!docs.has_value()) continue;
      candidates = candidates.has_value() ? Intersect(*candidates, *docs)
                                          : std::move(*docs);
      if (candidates->empty()) break;
    }
    return {{}, candidates.has_value() ? std::move(*candidates) : All()};
  }

  // A key of several words, from the word positions (index/schema.h): the
  // documents where the key's words (the first one as a suffix of a word,
  // the last as a prefix) stand in order at consecutive places. When every
  // separator in the key is one space and nothing else surrounds the words,
  // the positions say exactly that the text holds the key: `sure`.
  // nullopt when positions cannot help (a word stored in pieces, ends
  // expanding to too many words).
  std::optional<Candidates> Phrase(std::string_view prefix,
                                   std::string_view folded,
                                   const std::vector<KeyWord>& words) {
    if (words.size() < 2) return std::nullopt;
    // A longer key is narrowed by its first words (and then verified).
    const std::vector<KeyWord> placed(
        words.begin(),
        words.begin() + std::min(words.size(), kMaxPhraseWords));
    bool sure = placed.size() == words.size() && words.front().text.data() == folded.data() &&
                words.back().text.data() + words.back().text.size() ==
                    folded.data() + folded.size();
    for (size_t k = 0; k < placed.size(); ++k) {
      if (placed[k].text.size() > kMaxWordBytes) return std::nullopt;
      if (k == 0) continue;
      const char* end = placed[k - 1].text.data() + placed[k - 1].text.size();
      sure &= placed[k].text.data() == end + 1 && *end == ' ';
    }
    std::vector<Xapian::Query> parts;
    for (const KeyWord& word : placed) {
      if (word.bounded_left && word.bounded_right) {
        parts.emplace_back(std::string(prefix).append(word.text));
        continue;
      }
      std::vector<std::string_view> found;
      const bool narrow =
          Expand(prefix, word.text,
                 word.bounded_left ? Vocabulary::Match::kStartsWith
                                   : Vocabulary::Match::kEndsWith,
                 kMaxPhraseExpansion, &found);
      if (!narrow) {
        // Too common to place: the phrase goes on without this end word.
        sure = false;
        continue;
      }
      // No stored word fits: only a word stored in pieces may hold it.
      if (found.empty()) return Candidates{{}, LongWords()};
      std::vector<Xapian::Query> terms;
      terms.reserve(found.size());
      for (std::string_view w : found) {
        terms.emplace_back(std::string(prefix).append(w));
      }
      parts.emplace_back(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }
    if (parts.size() < 2) return std::nullopt;
    // Words separated by one space are one position apart, others two.
    const Xapian::termcount window =
        sure ? parts.size() : 2 * parts.size() - 1;
    PlannerCounters& counters = GetPlannerCounters();
    DocSet docs = Matching(Xapian::Query(Xapian::Query::OP_PHRASE,
                                         parts.begin(), parts.end(), window));
    ++counters.phrases_from_positions;
    if (!sure) return Candidates{{}, Union(docs, LongWords())};
    ++counters.phrases_sure;
    return Candidates{docs, Minus(LongWords(), docs)};
  }

  // Documents of the mailbox matching `query`, ascending.
  DocSet Matching(Xapian::Query query) {
    if (!WholeDatabase()) {
      query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                            Xapian::Query(mailbox_));
    }
    Xapian::Enquire enquire(db_);
    enquire.set_query(query);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    const Xapian::MSet mset = enquire.get_mset(0, db_.get_doccount());
    DocSet out;
    out.reserve(mset.size());
    for (auto it = mset.begin(); it != mset.end(); ++it) out.push_back(*it);
    std::sort(out.begin(), out.end());
    return out;
  }

  Candidates Header(const CompiledKey& key) {
    const std::string present = FieldPresentTerm(key.field);
    if (key.folded.empty()) {
      if (present.empty()) return {{}, All()};
      return {Postings(present), {}};
    }
    if (std::string_view prefix = FieldPrefix(key.field); !prefix.empty()) {
      return Field(prefix, key.folded);
    }
    // Any-header words may come from another field: verify.
    Candidates any = Field(kPrefixAnyHeader, key.folded);
    DocSet candidates = Union(any.sure, any.maybe);
    if (!present.empty()) candidates = Intersect(candidates, Postings(present));
    return {{}, std::move(candidates)};
  }

  struct Expansion {
    bool complete = false;  // false: more than kMaxExpansion words
    std::vector<std::string_view> words;  // every prefix's
  };

  const Vocabulary& vocabulary_;
  Xapian::Database& db_;
  absl::flat_hash_map<std::pair<std::string, Vocabulary::Match>, Expansion>
      expansions_;
  const std::string mailbox_;
  std::optional<DocSet> all_;
  std::optional<bool> whole_database_;
  std::optional<DocSet> long_words_;
};

}  // namespace

SentDateDocs FindSentDate(Kind kind, int64_t day, Xapian::Database& db,
                          store::MailboxId mailbox) {
  // The vocabulary is not needed for day terms.
  static const Vocabulary* const kNoWords = new Vocabulary;
  return Finder(*kNoWords, db, mailbox).SentDate(kind, day);
}

PlannerCounters& GetPlannerCounters() {
  static PlannerCounters* counters = new PlannerCounters;
  return *counters;
}

Candidates FindCandidates(const CompiledKey& key, const Vocabulary& vocabulary,
                          Xapian::Database& db, store::MailboxId mailbox) {
  return Finder(vocabulary, db, mailbox).Eval(key);
}

}  // namespace mailroom::index
