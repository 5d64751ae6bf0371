#include "protocols/imap/search_parser.h"
#include "protocols/imap/strings.h"

#include <algorithm>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace mailroom::imap {
namespace {

using store::SearchKey;
using Kind = store::SearchKey::Kind;

ImapSearchKey Leaf(SearchKey key) {
  ImapSearchKey k;
  k.kind = ImapSearchKey::Kind::kLeaf;
  k.leaf = std::move(key);
  return k;
}

ImapSearchKey SimpleLeaf(Kind kind, int64_t number = 0) {
  SearchKey key;
  key.kind = kind;
  key.number = number;
  return Leaf(std::move(key));
}

ImapSearchKey HeaderLeaf(std::string field, std::string value) {
  SearchKey key;
  key.kind = Kind::kHeader;
  key.field = AsciiLower(field);
  key.value = std::move(value);
  return Leaf(std::move(key));
}

ImapSearchKey TextLeaf(Kind kind, std::string value) {
  SearchKey key;
  key.kind = kind;
  key.value = std::move(value);
  return Leaf(std::move(key));
}

// objectid = 1*255(ALPHA / DIGIT / "_" / "-")  (RFC 8474 section 7)
bool IsObjectId(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

ImapSearchKey NotOf(ImapSearchKey child) {
  ImapSearchKey k;
  k.kind = ImapSearchKey::Kind::kNot;
  k.children.push_back(std::move(child));
  return k;
}

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(AbslView(what));
}

absl::Status OverLimit(std::string_view what, size_t limit) {
  return absl::ResourceExhaustedError(
      absl::StrCat(AbslView(what), " (limit ", limit, ")"));
}

// The budget of one command's criteria, shared by the whole recursion.
struct ParseState {
  const SearchParseLimits& limits;
  size_t keys = 0;
  size_t sequence_elements = 0;
};

absl::StatusOr<ImapSearchKey> ParseKeyList(Lexer& lx, ParseState& st,
                                           int depth);

// Parses one sequence set, charging its elements to the command's budget.
absl::StatusOr<SequenceSet> ParseSet(Lexer& lx, ParseState& st) {
  auto word = lx.Word();
  if (!word.ok()) return word.status();
  const size_t left =
      st.limits.max_sequence_elements - st.sequence_elements;
  auto set = ParseSequenceSet(*word, left);
  if (!set.ok()) {
    if (set.status().code() == absl::StatusCode::kResourceExhausted) {
      return OverLimit("too many sequence set elements in the criteria",
                       st.limits.max_sequence_elements);
    }
    return set.status();
  }
  st.sequence_elements += set->ranges.size();
  return set;
}

absl::StatusOr<int64_t> DateArg(Lexer& lx) {
  std::string text;
  if (lx.Peek() == '"') {
    auto s = lx.String();
    if (!s.ok()) return s.status();
    text = *s;
  } else {
    auto s = lx.Atom();
    if (!s.ok()) return s.status();
    text = *s;
  }
  return ParseSearchDate(text);
}

bool IsSequenceStart(char c) {
  return (c >= '0' && c <= '9') || c == '*' || c == '$';
}

absl::StatusOr<ImapSearchKey> ParseOneKey(Lexer& lx, ParseState& st,
                                          int depth) {
  if (depth > st.limits.max_depth) {
    return OverLimit("search criteria nested too deeply", st.limits.max_depth);
  }
  if (++st.keys > st.limits.max_keys) {
    return OverLimit("too many search keys", st.limits.max_keys);
  }
  if (lx.Consume('(')) {
    auto inner = ParseKeyList(lx, st, depth + 1);
    if (!inner.ok()) return inner.status();
    if (!lx.Consume(')')) return Bad("expected ')'");
    return inner;
  }
  if (IsSequenceStart(lx.Peek())) {
    auto set = ParseSet(lx, st);
    if (!set.ok()) return set.status();
    ImapSearchKey k;
    k.kind = ImapSearchKey::Kind::kSequence;
    k.set = std::move(*set);
    return k;
  }
  auto atom_or = lx.Atom();
  if (!atom_or.ok()) return Bad("expected a search key");
  const std::string name = AsciiUpper(*atom_or);

  struct FlagKey {
    const char* name;
    Kind kind;
    uint32_t flag;
  };
  static constexpr FlagKey kFlagKeys[] = {
      {"ANSWERED", Kind::kFlagSet, store::kAnswered},
      {"DELETED", Kind::kFlagSet, store::kDeleted},
      {"DRAFT", Kind::kFlagSet, store::kDraft},
      {"FLAGGED", Kind::kFlagSet, store::kFlagged},
      {"SEEN", Kind::kFlagSet, store::kSeen},
      {"UNANSWERED", Kind::kFlagClear, store::kAnswered},
      {"UNDELETED", Kind::kFlagClear, store::kDeleted},
      {"UNDRAFT", Kind::kFlagClear, store::kDraft},
      {"UNFLAGGED", Kind::kFlagClear, store::kFlagged},
      {"UNSEEN", Kind::kFlagClear, store::kSeen},
  };
  for (const auto& f : kFlagKeys) {
    if (name == f.name) return SimpleLeaf(f.kind, f.flag);
  }
  if (name == "ALL") return SimpleLeaf(Kind::kAll);
  // RFC 8514: every mailbox keeps save dates, so this matches everything.
  if (name == "SAVEDATESUPPORTED") return SimpleLeaf(Kind::kAll);
  // RFC 3501 section 6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
  if (name == "RECENT" || name == "NEW" || name == "OLD") {
    ImapSearchKey recent;
    recent.kind = ImapSearchKey::Kind::kRecent;
    if (name == "RECENT") return recent;
    ImapSearchKey k;
    k.kind = name == "NEW" ? ImapSearchKey::Kind::kAnd
                           : ImapSearchKey::Kind::kNot;
    k.children.push_back(std::move(recent));
    if (name == "NEW") k.children.push_back(SimpleLeaf(Kind::kFlagClear, store::kSeen));
    return k;
  }

  struct TextKey {
    const char* name;
    const char* header;  // nullptr: not a header key
    Kind kind;
  };
  static constexpr TextKey kTextKeys[] = {
      {"BCC", "bcc", Kind::kHeader},     {"CC", "cc", Kind::kHeader},
      {"FROM", "from", Kind::kHeader},   {"SUBJECT", "subject", Kind::kHeader},
      {"TO", "to", Kind::kHeader},       {"BODY", nullptr, Kind::kBody},
      {"TEXT", nullptr, Kind::kText},
  };
  for (const auto& t : kTextKeys) {
    if (name != t.name) continue;
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto value = lx.AString();
    if (!value.ok()) return value.status();
    if (t.header != nullptr) return HeaderLeaf(t.header, std::move(*value));
    return TextLeaf(t.kind, std::move(*value));
  }

  // RFC 8474: EMAILID / THREADID objectid, compared exactly.
  if (name == "EMAILID" || name == "THREADID") {
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto id = lx.AString();
    if (!id.ok()) return id.status();
    if (!IsObjectId(*id)) return Bad("invalid object id");
    return TextLeaf(name == "EMAILID" ? Kind::kEmailId : Kind::kThreadId,
                    std::move(*id));
  }

  struct DateKey {
    const char* name;
    Kind kind;
  };
  static constexpr DateKey kDateKeys[] = {
      {"BEFORE", Kind::kBefore},         {"ON", Kind::kOn},
      {"SINCE", Kind::kSince},           {"SENTBEFORE", Kind::kSentBefore},
      {"SENTON", Kind::kSentOn},         {"SENTSINCE", Kind::kSentSince},
      // RFC 8514
      {"SAVEDBEFORE", Kind::kSavedBefore}, {"SAVEDON", Kind::kSavedOn},
      {"SAVEDSINCE", Kind::kSavedSince},
  };
  for (const auto& d : kDateKeys) {
    if (name != d.name) continue;
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto day = DateArg(lx);
    if (!day.ok()) return day.status();
    return SimpleLeaf(d.kind, *day);
  }

  if (name == "LARGER" || name == "SMALLER" || name == "OLDER" ||
      name == "YOUNGER") {
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto n = lx.Number();
    if (!n.ok()) return n.status();
    if ((name == "OLDER" || name == "YOUNGER") && *n == 0) {
      return Bad("interval must be non-zero");
    }
    const Kind kind = name == "LARGER"    ? Kind::kLarger
                      : name == "SMALLER" ? Kind::kSmaller
                      : name == "OLDER"   ? Kind::kOlder
                                          : Kind::kYounger;
    return SimpleLeaf(kind, static_cast<int64_t>(*n));
  }
  if (name == "HEADER") {
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto field = lx.AString();
    if (!field.ok()) return field.status();
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto value = lx.AString();
    if (!value.ok()) return value.status();
    return HeaderLeaf(*field, std::move(*value));
  }
  if (name == "KEYWORD" || name == "UNKEYWORD") {
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto kw = lx.Atom();
    if (!kw.ok()) return kw.status();
    SearchKey key;
    key.kind = name == "KEYWORD" ? Kind::kKeyword : Kind::kUnkeyword;
    key.value = *kw;
    return Leaf(std::move(key));
  }
  if (name == "NOT") {
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto child = ParseOneKey(lx, st, depth + 1);
    if (!child.ok()) return child.status();
    return NotOf(std::move(*child));
  }
  if (name == "OR") {
    ImapSearchKey k;
    k.kind = ImapSearchKey::Kind::kOr;
    for (int i = 0; i < 2; ++i) {
      if (!lx.Consume(' ')) return Bad("expected a space");
      auto child = ParseOneKey(lx, st, depth + 1);
      if (!child.ok()) return child.status();
      k.children.push_back(std::move(*child));
    }
    return k;
  }
  if (name == "UID") {
    if (!lx.Consume(' ')) return Bad("expected a space");
    auto set = ParseSet(lx, st);
    if (!set.ok()) return set.status();
    ImapSearchKey k;
    k.kind = ImapSearchKey::Kind::kUidSet;
    k.set = std::move(*set);
    return k;
  }
  if (name == "MODSEQ") {
    // MODSEQ [entry-name entry-type-req] mod-sequence-valzer
    if (!lx.Consume(' ')) return Bad("expected a space");
    if (lx.Peek() == '"') {
      auto entry = lx.String();
      if (!entry.ok()) return entry.status();
      if (!lx.Consume(' ')) return Bad("expected a space");
      auto type = lx.Atom();
      if (!type.ok()) return type.status();
      const std::string t = AsciiLower(*type);
      if (t != "priv" && t != "shared" && t != "all") {
        return Bad("invalid MODSEQ entry type");
      }
      if (!lx.Consume(' ')) return Bad("expected a space");
    }
    auto n = lx.Number();
    if (!n.ok()) return n.status();
    return SimpleLeaf(Kind::kModSeq, static_cast<int64_t>(*n));
  }
  return Bad("unknown search key");
}

void AppendUidRanges(std::vector<store::UidRange>& out, store::Uid uid) {
  if (!out.empty() && out.back().last + 1 == uid) {
    out.back().last = uid;
  } else {
    out.push_back({uid, uid});
  }
}

absl::StatusOr<ImapSearchKey> ParseKeyList(Lexer& lx, ParseState& st,
                                           int depth) {
  ImapSearchKey all;
  all.kind = ImapSearchKey::Kind::kAnd;
  while (true) {
    auto key = ParseOneKey(lx, st, depth);
    if (!key.ok()) return key.status();
    all.children.push_back(std::move(*key));
    if (lx.AtEnd() || lx.Peek() == ')') break;
    if (!lx.Consume(' ')) return Bad("expected a space");
  }
  return all;
}

}  // namespace

absl::StatusOr<ImapSearchKey> ParseSearchKeys(Lexer& lx,
                                              const SearchParseLimits& limits) {
  ParseState state{limits};
  return ParseKeyList(lx, state, 0);
}

absl::StatusOr<int64_t> ParseSearchDate(std::string_view text) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr",
                                            "may", "jun", "jul", "aug",
                                            "sep", "oct", "nov", "dec"};
  const size_t d1 = text.find('-');
  if (d1 == std::string_view::npos || d1 == 0 || d1 > 2) {
    return Bad("invalid date");
  }
  const size_t d2 = text.find('-', d1 + 1);
  if (d2 != d1 + 4 || text.size() != d2 + 5) return Bad("invalid date");
  int day = 0, year = 0;
  if (!absl::SimpleAtoi(AbslView(text.substr(0, d1)), &day) ||
      !absl::SimpleAtoi(AbslView(text.substr(d2 + 1)), &year)) {
    return Bad("invalid date");
  }
  for (char c : text.substr(d2 + 1)) {
    if (c < '0' || c > '9') return Bad("invalid date");
  }
  const std::string mon = AsciiLower(text.substr(d1 + 1, 3));
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (mon == kMonths[i]) month = i + 1;
  }
  if (month == 0 || day < 1 || day > 31) return Bad("invalid date");
  const absl::CivilDay civil(year, month, day);
  if (civil.day() != day) return Bad("invalid date");
  return static_cast<int64_t>(civil - absl::CivilDay(1970, 1, 1));
}

std::vector<store::UidRange> SequenceRangesToUids(
    const std::vector<ResolvedRange>& seq,
    const std::vector<store::Uid>& uids_by_seq) {
  std::vector<store::UidRange> out;
  const size_t n = uids_by_seq.size();
  for (const auto& r : seq) {
    if (r.first > n) break;
    const size_t last = std::min<size_t>(r.last, n);
    for (size_t s = r.first; s <= last; ++s) {
      AppendUidRanges(out, uids_by_seq[s - 1]);
    }
  }
  return out;
}

namespace {

// TranslateSearchKey for a mailbox of `count` messages; `seq_to_uids` turns
// resolved sequence ranges into UID ranges, `star` is the highest UID.
store::SearchKey Translate(
    const ImapSearchKey& key, uint32_t count, store::Uid star,
    const std::function<std::vector<store::UidRange>(
        const std::vector<ResolvedRange>&)>& seq_to_uids,
    const std::vector<store::Uid>& saved,
    const std::vector<store::Uid>& recent) {
  SearchKey out;
  switch (key.kind) {
    case ImapSearchKey::Kind::kLeaf:
      return key.leaf;
    case ImapSearchKey::Kind::kAnd:
    case ImapSearchKey::Kind::kOr:
    case ImapSearchKey::Kind::kNot:
      out.kind = key.kind == ImapSearchKey::Kind::kAnd  ? Kind::kAnd
                 : key.kind == ImapSearchKey::Kind::kOr ? Kind::kOr
                                                        : Kind::kNot;
      for (const auto& c : key.children) {
        out.children.push_back(
            Translate(c, count, star, seq_to_uids, saved, recent));
      }
      if (out.kind == Kind::kAnd && out.children.size() == 1) {
        return std::move(out.children[0]);
      }
      return out;
    case ImapSearchKey::Kind::kRecent:
      out.kind = Kind::kUids;  // none \Recent: an empty list matches nothing
      for (store::Uid uid : recent) AppendUidRanges(out.uids, uid);
      return out;
    case ImapSearchKey::Kind::kSequence:
    case ImapSearchKey::Kind::kUidSet:
      break;
  }
  out.kind = Kind::kUids;
  if (key.set.saved) {
    for (store::Uid uid : saved) AppendUidRanges(out.uids, uid);
    return out;
  }
  if (key.kind == ImapSearchKey::Kind::kSequence) {
    out.uids = seq_to_uids(key.set.Resolve(count));
    return out;
  }
  for (const auto& r : key.set.Resolve(star)) {
    out.uids.push_back({r.first, r.last});
  }
  return out;
}

}  // namespace

store::SearchKey TranslateSearchKey(const ImapSearchKey& key,
                                    const std::vector<store::Uid>& uids_by_seq,
                                    const std::vector<store::Uid>& saved,
                                    const std::vector<store::Uid>& recent) {
  return Translate(
      key, static_cast<uint32_t>(uids_by_seq.size()),
      uids_by_seq.empty() ? 0 : uids_by_seq.back(),
      [&](const std::vector<ResolvedRange>& seq) {
        return SequenceRangesToUids(seq, uids_by_seq);
      },
      saved, recent);
}

store::SearchKey TranslateSearchKey(
    const ImapSearchKey& key, uint32_t count,
    const std::function<store::Uid(uint32_t)>& uid_at,
    const std::vector<store::Uid>& saved,
    const std::vector<store::Uid>& recent) {
  return Translate(
      key, count, count == 0 ? 0 : uid_at(count),
      [&](const std::vector<ResolvedRange>& seq) {
        std::vector<store::UidRange> out;
        for (const ResolvedRange& r : seq) {
          if (r.first > count || r.first == 0) continue;
          const uint32_t last = std::min<uint64_t>(r.last, count);
          const store::Uid first_uid = uid_at(static_cast<uint32_t>(r.first));
          const store::Uid last_uid = uid_at(last);
          if (!out.empty() && out.back().last >= first_uid) {
            out.back().last = std::max(out.back().last, last_uid);
          } else {
            out.push_back({first_uid, last_uid});
          }
        }
        return out;
      },
      saved, recent);
}

}  // namespace mailroom::imap
