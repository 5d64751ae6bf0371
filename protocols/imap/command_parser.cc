#include "protocols/imap/command_parser.h"
#include "protocols/imap/notify_parser.h"
#include "protocols/imap/strings.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/status_macros.h"

namespace mailroom::imap {
namespace {

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(AbslView(what));
}

#define MR_SP(lx) MR_RETURN_IF_ERROR((lx).ExpectSpace())

absl::StatusOr<std::string> Flag(Lexer& lx) {
  const bool system = lx.Consume('\\');
  MR_ASSIGN_OR_RETURN(std::string atom, lx.Atom());
  if (system) atom.insert(atom.begin(), '\\');
  return atom;
}

absl::Status OverLimit(std::string_view what, size_t limit) {
  return absl::ResourceExhaustedError(
      absl::StrCat(AbslView(what), " (limit ", limit, ")"));
}

SearchParseLimits SearchLimits(const ParseLimits& limits) {
  SearchParseLimits sl;
  sl.max_depth = limits.max_depth;
  sl.max_keys = limits.max_search_keys;
  sl.max_sequence_elements = limits.max_sequence_elements;
  return sl;
}

absl::StatusOr<SequenceSet> Set(Lexer& lx, const ParseLimits& limits) {
  MR_ASSIGN_OR_RETURN(std::string word, lx.Word());
  return ParseSequenceSet(word, limits.max_sequence_elements);
}

// "(" item *(SP item) ")" of atoms, upper-cased. Empty list allowed.
absl::StatusOr<std::vector<std::string>> AtomList(Lexer& lx) {
  MR_RETURN_IF_ERROR(lx.Expect('('));
  std::vector<std::string> out;
  if (lx.Consume(')')) return out;
  while (true) {
    MR_ASSIGN_OR_RETURN(std::string a, lx.Atom());
    out.push_back(AsciiUpper(a));
    if (out.size() > 100) return Bad("list too long");
    if (lx.Consume(')')) return out;
    MR_SP(lx);
  }
}

absl::Status ParseSelect(Lexer& lx, Command& c, const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string mailbox, lx.AString());
  c.args.push_back(std::move(mailbox));
  if (lx.AtEnd()) return absl::OkStatus();
  MR_SP(lx);
  MR_RETURN_IF_ERROR(lx.Expect('('));
  while (true) {
    if (lx.ConsumeWord("CONDSTORE")) {
      c.select.condstore = true;
    } else if (lx.ConsumeWord("QRESYNC")) {
      QresyncParams q;
      MR_SP(lx);
      MR_RETURN_IF_ERROR(lx.Expect('('));
      MR_ASSIGN_OR_RETURN(q.uidvalidity, lx.NzNumber32());
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(q.modseq, lx.Number());
      if (lx.Consume(' ')) {
        if (lx.Peek() != '(') {
          MR_ASSIGN_OR_RETURN(SequenceSet known, Set(lx, limits));
          q.known_uids = std::move(known);
          if (lx.Consume(' ') && lx.Peek() != '(') return Bad("bad QRESYNC");
        }
        if (lx.Consume('(')) {
          MR_ASSIGN_OR_RETURN(SequenceSet seqs, Set(lx, limits));
          MR_SP(lx);
          MR_ASSIGN_OR_RETURN(SequenceSet uids, Set(lx, limits));
          MR_RETURN_IF_ERROR(lx.Expect(')'));
          q.seq_match = std::make_pair(std::move(seqs), std::move(uids));
        }
      }
      MR_RETURN_IF_ERROR(lx.Expect(')'));
      c.select.qresync = std::move(q);
    } else {
      return Bad("unknown SELECT parameter");
    }
    if (lx.Consume(')')) break;
    MR_SP(lx);
  }
  return lx.ExpectEnd();
}

absl::Status ParseCreate(Lexer& lx, Command& c) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string mailbox, lx.AString());
  c.args.push_back(std::move(mailbox));
  if (lx.AtEnd()) return absl::OkStatus();
  MR_SP(lx);
  MR_RETURN_IF_ERROR(lx.Expect('('));
  if (!lx.ConsumeWord("USE")) return Bad("unknown CREATE parameter");
  MR_SP(lx);
  MR_RETURN_IF_ERROR(lx.Expect('('));
  std::vector<std::string> uses;
  while (!lx.Consume(')')) {
    if (!uses.empty()) MR_SP(lx);
    MR_ASSIGN_OR_RETURN(std::string f, Flag(lx));
    uses.push_back(std::move(f));
    if (uses.size() > 10) return Bad("too many USE attributes");
  }
  MR_RETURN_IF_ERROR(lx.Expect(')'));
  if (uses.size() > 1) {
    return absl::FailedPreconditionError("only one special-use per mailbox");
  }
  if (uses.size() == 1) c.special_use = uses[0];
  return lx.ExpectEnd();
}

absl::Status ParseList(Lexer& lx, Command& c, bool lsub,
                       const ParseLimits& limits) {
  ListArgs& l = c.list;
  MR_SP(lx);
  if (!lsub && lx.Consume('(')) {
    l.extended = true;
    while (!lx.Consume(')')) {
      if (lx.ConsumeWord("SUBSCRIBED")) {
        l.select_subscribed = true;
      } else if (lx.ConsumeWord("REMOTE")) {
        l.select_remote = true;
      } else if (lx.ConsumeWord("RECURSIVEMATCH")) {
        l.select_recursive = true;
      } else if (lx.ConsumeWord("SPECIAL-USE")) {
        l.select_special_use = true;
      } else {
        return Bad("unknown LIST selection option");
      }
      lx.Consume(' ');
    }
    MR_SP(lx);
  }
  MR_ASSIGN_OR_RETURN(l.reference, lx.AString());
  MR_SP(lx);
  if (!lsub && lx.Consume('(')) {
    l.extended = true;
    while (true) {
      MR_ASSIGN_OR_RETURN(std::string p, lx.ListMailbox());
      if (p.size() > limits.max_list_pattern_bytes) {
        return OverLimit("mailbox pattern too long", limits.max_list_pattern_bytes);
      }
      l.patterns.push_back(std::move(p));
      if (l.patterns.size() > 100) return Bad("too many patterns");
      if (lx.Consume(')')) break;
      MR_SP(lx);
    }
  } else {
    MR_ASSIGN_OR_RETURN(std::string p, lx.ListMailbox());
    if (p.size() > limits.max_list_pattern_bytes) {
      return OverLimit("mailbox pattern too long", limits.max_list_pattern_bytes);
    }
    l.patterns.push_back(std::move(p));
  }
  if (l.select_recursive && !l.select_subscribed) {
    return Bad("RECURSIVEMATCH needs another selection option");
  }
  if (lsub || lx.AtEnd()) return lx.ExpectEnd();
  MR_SP(lx);
  if (!lx.ConsumeWord("RETURN")) return Bad("expected RETURN");
  l.extended = true;
  MR_SP(lx);
  MR_RETURN_IF_ERROR(lx.Expect('('));
  while (!lx.Consume(')')) {
    if (lx.ConsumeWord("SUBSCRIBED")) {
      l.return_subscribed = true;
    } else if (lx.ConsumeWord("CHILDREN")) {
      l.return_children = true;
    } else if (lx.ConsumeWord("SPECIAL-USE")) {
      l.return_special_use = true;
    } else if (lx.ConsumeWord("STATUS")) {
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(auto items, AtomList(lx));
      if (items.empty()) return Bad("empty STATUS list");
      l.return_status = std::move(items);
    } else {
      return Bad("unknown LIST return option");
    }
    lx.Consume(' ');
  }
  return lx.ExpectEnd();
}

// RFC 4469: "(" cat-part *(SP cat-part) ")", cat-part = "TEXT" SP literal
// / "URL" SP astring.
absl::Status ParseCatenate(Lexer& lx, const ParseLimits& limits,
                           AppendMessage* m) {
  MR_RETURN_IF_ERROR(lx.Expect('('));
  do {
    if (m->catenate.size() >= limits.max_catenate_parts) {
      return OverLimit("[LIMIT] Too many CATENATE parts",
                       limits.max_catenate_parts);
    }
    CatenatePart part;
    if (lx.ConsumeWord("TEXT")) {
      MR_SP(lx);
      if (!lx.StartsLiteral()) return Bad("expected a literal after TEXT");
      MR_ASSIGN_OR_RETURN(part.text, lx.String());
    } else if (lx.ConsumeWord("URL")) {
      MR_SP(lx);
      part.url = true;
      MR_ASSIGN_OR_RETURN(part.text, lx.AString());
    } else {
      return Bad("expected TEXT or URL");
    }
    m->catenate.push_back(std::move(part));
  } while (lx.Consume(' '));
  return lx.Expect(')');
}

absl::Status ParseAppend(Lexer& lx, Command& c, const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string mailbox, lx.AString());
  c.args.push_back(std::move(mailbox));
  do {
    MR_SP(lx);
    AppendMessage m;
    if (lx.Peek() == '(') {
      MR_ASSIGN_OR_RETURN(m.flags, ParseFlagList(lx, limits.max_flags));
      MR_SP(lx);
    }
    if (lx.Peek() == '"') {
      MR_ASSIGN_OR_RETURN(std::string date, lx.String());
      MR_ASSIGN_OR_RETURN(auto dt, ParseDateTime(date));
      m.internal_date = dt.first;
      m.tz_minutes = dt.second;
      MR_SP(lx);
    }
    if (lx.ConsumeWord("CATENATE")) {
      MR_SP(lx);
      MR_RETURN_IF_ERROR(ParseCatenate(lx, limits, &m));
    } else if (lx.ConsumeWord("UTF8")) {  // RFC 6855 / 9051: UTF8 (literal8)
      MR_SP(lx);
      MR_RETURN_IF_ERROR(lx.Expect('('));
      MR_ASSIGN_OR_RETURN(m.data, lx.StringOrLiteral8(&m.binary));
      MR_RETURN_IF_ERROR(lx.Expect(')'));
    } else {
      if (!lx.StartsLiteral()) return Bad("expected a message literal");
      MR_ASSIGN_OR_RETURN(m.data, lx.StringOrLiteral8(&m.binary));
    }
    c.append.push_back(std::move(m));
  } while (!lx.AtEnd());
  return absl::OkStatus();
}

// RFC 8508: "REPLACE" SP seq-number SP mailbox append-message; UID
// REPLACE takes a UID. The message is parsed as APPEND's, one message only.
absl::Status ParseReplace(Lexer& lx, Command& c, const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string number, lx.Word());
  if (number.empty() || number.find_first_of(",:$") != std::string::npos) {
    return Bad("REPLACE takes one message number");
  }
  MR_ASSIGN_OR_RETURN(c.set, ParseSequenceSet(number, 1));
  MR_RETURN_IF_ERROR(ParseAppend(lx, c, limits));
  if (c.append.size() != 1) return Bad("REPLACE takes exactly one message");
  return absl::OkStatus();
}

// search-return-opts of ESEARCH (RFC 4731), ESORT and CONTEXT (RFC 5267):
// MIN MAX ALL COUNT [SAVE] UPDATE CONTEXT "PARTIAL" SP partial-range, where
// partial-range = nz-number ":" nz-number. CONTEXT is only a hint.
absl::Status ParseReturnOptions(Lexer& lx, SearchArgs& s, bool sort) {
  MR_ASSIGN_OR_RETURN(std::vector<std::string> options, AtomList(lx));
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string& r = options[i];
    if (r == "UPDATE") {
      s.update = true;
    } else if (r == "CONTEXT") {
    } else if (r == "PARTIAL") {
      if (s.partial || i + 1 >= options.size()) return Bad("bad PARTIAL range");
      const std::string& range = options[++i];
      const size_t colon = range.find(':');
      uint32_t first = 0;
      uint32_t last = 0;
      if (colon == std::string::npos ||
          !absl::SimpleAtoi(AbslView(std::string_view(range).substr(0, colon)),
                            &first) ||
          !absl::SimpleAtoi(AbslView(std::string_view(range).substr(colon + 1)),
                            &last) ||
          range[0] == '+' || range[colon + 1] == '+' || first == 0 ||
          last == 0 || first > last) {
        return Bad("bad PARTIAL range");
      }
      s.partial = std::make_pair(first, last);
      s.returns.push_back(r);
    } else if (r == "MIN" || r == "MAX" || r == "ALL" || r == "COUNT" ||
               (r == "SAVE" && !sort)) {
      s.returns.push_back(r);
    } else {
      return Bad(sort ? "unknown SORT return option"
                      : "unknown SEARCH return option");
    }
  }
  return absl::OkStatus();
}

absl::Status ParseSearch(Lexer& lx, Command& c, const ParseLimits& limits) {
  SearchArgs& s = c.search;
  MR_SP(lx);
  if (lx.ConsumeWord("RETURN")) {
    s.esearch = true;
    MR_SP(lx);
    MR_RETURN_IF_ERROR(ParseReturnOptions(lx, s, /*sort=*/false));
    MR_SP(lx);
  }
  if (lx.ConsumeWord("CHARSET")) {
    MR_SP(lx);
    MR_ASSIGN_OR_RETURN(std::string cs, lx.AString());
    s.charset = std::move(cs);
    MR_SP(lx);
  }
  MR_ASSIGN_OR_RETURN(s.key, ParseSearchKeys(lx, SearchLimits(limits)));
  return lx.ExpectEnd();
}

// search-criteria = charset 1*(SP search-key), shared by SORT and THREAD.
absl::Status ParseCharsetAndKeys(Lexer& lx, Command& c,
                                 const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string cs, lx.AString());
  c.search.charset = std::move(cs);
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(c.search.key,
                      ParseSearchKeys(lx, SearchLimits(limits)));
  return lx.ExpectEnd();
}

// sort-criteria = "(" sort-criterion *(SP sort-criterion) ")" (RFC 5256,
// RFC 5957).
absl::Status ParseSort(Lexer& lx, Command& c, const ParseLimits& limits) {
  static constexpr std::pair<const char*, SortKey> kKeys[] = {
      {"ARRIVAL", SortKey::kArrival}, {"CC", SortKey::kCc},
      {"DATE", SortKey::kDate},       {"FROM", SortKey::kFrom},
      {"SIZE", SortKey::kSize},       {"SUBJECT", SortKey::kSubject},
      {"TO", SortKey::kTo},           {"DISPLAYFROM", SortKey::kDisplayFrom},
      {"DISPLAYTO", SortKey::kDisplayTo},
  };
  MR_SP(lx);
  if (lx.ConsumeWord("RETURN")) {  // ESORT (RFC 5267 section 3)
    c.search.esearch = true;
    MR_SP(lx);
    MR_RETURN_IF_ERROR(ParseReturnOptions(lx, c.search, /*sort=*/true));
    MR_SP(lx);
  }
  MR_RETURN_IF_ERROR(lx.Expect('('));
  auto& criteria = c.sort_thread.criteria;
  do {
    if (!criteria.empty()) MR_SP(lx);
    SortCriterion criterion;
    MR_ASSIGN_OR_RETURN(std::string word, lx.Atom());
    word = AsciiUpper(word);
    if (word == "REVERSE") {
      criterion.reverse = true;
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(word, lx.Atom());
      word = AsciiUpper(word);
    }
    bool known = false;
    for (const auto& [name, key] : kKeys) {
      if (word == name) {
        criterion.key = key;
        known = true;
      }
    }
    if (!known) return Bad("unknown sort key");
    criteria.push_back(criterion);
    if (criteria.size() > 64) return Bad("too many sort keys");
  } while (!lx.Consume(')'));
  return ParseCharsetAndKeys(lx, c, limits);
}

absl::Status ParseThread(Lexer& lx, Command& c, const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string algorithm, lx.Atom());
  algorithm = AsciiUpper(algorithm);
  if (algorithm == "ORDEREDSUBJECT") {
    c.sort_thread.algorithm = SortThreadArgs::Algorithm::kOrderedSubject;
  } else if (algorithm == "REFERENCES") {
    c.sort_thread.algorithm = SortThreadArgs::Algorithm::kReferences;
  } else {
    return Bad("unknown threading algorithm");
  }
  return ParseCharsetAndKeys(lx, c, limits);
}

absl::Status ParseFetch(Lexer& lx, Command& c, const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(c.fetch.set, Set(lx, limits));
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(c.fetch.attrs,
                      ParseFetchAttrs(lx, limits.max_fetch_attributes));
  if (lx.AtEnd()) return absl::OkStatus();
  MR_SP(lx);
  MR_RETURN_IF_ERROR(lx.Expect('('));
  while (true) {
    if (lx.ConsumeWord("CHANGEDSINCE")) {
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(uint64_t m, lx.Number());
      c.fetch.changed_since = m;
    } else if (lx.ConsumeWord("VANISHED")) {
      c.fetch.vanished = true;
    } else {
      return Bad("unknown FETCH modifier");
    }
    if (lx.Consume(')')) break;
    MR_SP(lx);
  }
  if (c.fetch.vanished && (!c.uid || !c.fetch.changed_since)) {
    return Bad("VANISHED needs UID FETCH with CHANGEDSINCE");
  }
  return lx.ExpectEnd();
}

absl::Status ParseStore(Lexer& lx, Command& c, const ParseLimits& limits) {
  StoreArgs& s = c.store;
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(s.set, Set(lx, limits));
  MR_SP(lx);
  if (lx.Consume('(')) {
    if (!lx.ConsumeWord("UNCHANGEDSINCE")) return Bad("unknown STORE modifier");
    MR_SP(lx);
    MR_ASSIGN_OR_RETURN(uint64_t m, lx.Number());
    s.unchanged_since = m;
    MR_RETURN_IF_ERROR(lx.Expect(')'));
    MR_SP(lx);
  }
  if (lx.Consume('+')) {
    s.op = store::FlagOp::kAdd;
  } else if (lx.Consume('-')) {
    s.op = store::FlagOp::kRemove;
  } else {
    s.op = store::FlagOp::kReplace;
  }
  MR_ASSIGN_OR_RETURN(std::string item, lx.Atom());
  item = AsciiUpper(item);
  if (item == "FLAGS.SILENT") {
    s.silent = true;
  } else if (item != "FLAGS") {
    return Bad("expected FLAGS");
  }
  MR_SP(lx);
  if (lx.Peek() == '(') {
    MR_ASSIGN_OR_RETURN(s.flags, ParseFlagList(lx, limits.max_flags));
  } else {
    while (true) {
      MR_ASSIGN_OR_RETURN(std::string f, Flag(lx));
      s.flags.push_back(std::move(f));
      if (s.flags.size() > limits.max_flags) {
        return OverLimit("too many flags", limits.max_flags);
      }
      if (lx.AtEnd()) break;
      MR_SP(lx);
    }
  }
  return lx.ExpectEnd();
}

absl::Status ParseId(Lexer& lx, Command& c) {
  MR_SP(lx);
  if (lx.ConsumeWord("NIL")) return lx.ExpectEnd();
  MR_RETURN_IF_ERROR(lx.Expect('('));
  std::vector<std::pair<std::string, std::optional<std::string>>> params;
  while (!lx.Consume(')')) {
    if (!params.empty()) MR_SP(lx);
    MR_ASSIGN_OR_RETURN(std::string key, lx.String());
    MR_SP(lx);
    MR_ASSIGN_OR_RETURN(std::optional<std::string> value, lx.NString());
    params.emplace_back(std::move(key), std::move(value));
    if (params.size() > 30) return Bad("too many ID parameters");
  }
  c.id_params = std::move(params);
  return lx.ExpectEnd();
}

// Reads `n` SP-separated astrings into c.args.
absl::Status AStrings(Lexer& lx, Command& c, int n) {
  for (int i = 0; i < n; ++i) {
    MR_SP(lx);
    MR_ASSIGN_OR_RETURN(std::string s, lx.AString());
    c.args.push_back(std::move(s));
  }
  return lx.ExpectEnd();
}

// "(" getmetadata-option *(SP getmetadata-option) ")": MAXSIZE n,
// DEPTH 0/1/infinity.
absl::Status ParseMetadataOptions(Lexer& lx, Command& c) {
  MR_RETURN_IF_ERROR(lx.Expect('('));
  do {
    if (lx.ConsumeWord("MAXSIZE")) {
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(uint64_t n, lx.Number());
      c.metadata.max_size = n;
    } else if (lx.ConsumeWord("DEPTH")) {
      MR_SP(lx);
      if (lx.ConsumeWord("0")) {
        c.metadata.depth = store::MetadataDepth::kZero;
      } else if (lx.ConsumeWord("1")) {
        c.metadata.depth = store::MetadataDepth::kOne;
      } else if (lx.ConsumeWord("INFINITY")) {
        c.metadata.depth = store::MetadataDepth::kInfinity;
      } else {
        return Bad("DEPTH must be 0, 1 or infinity");
      }
    } else {
      return Bad("unknown GETMETADATA option");
    }
  } while (lx.Consume(' '));
  return lx.Expect(')');
}

// An options list rather than an entry list: entries start with "/".
bool AtMetadataOptions(const Lexer& lx) {
  std::string_view rest = lx.rest();
  if (rest.empty() || rest[0] != '(') return false;
  rest.remove_prefix(1);
  auto starts = [&](std::string_view word) {
    return rest.size() >= word.size() &&
           AsciiUpper(rest.substr(0, word.size())) == word;
  };
  return starts("MAXSIZE") || starts("DEPTH");
}

// GETMETADATA [SP options] SP mailbox SP entries (RFC 5464 section 5),
// entries one astring or a parenthesised list. The RFC's own examples put
// the options after the mailbox: both places are accepted.
absl::Status ParseGetMetadata(Lexer& lx, Command& c,
                              const ParseLimits& limits) {
  MR_SP(lx);
  if (lx.Peek() == '(') {
    MR_RETURN_IF_ERROR(ParseMetadataOptions(lx, c));
    MR_SP(lx);
  }
  MR_ASSIGN_OR_RETURN(std::string mailbox, lx.AString());
  c.args.push_back(std::move(mailbox));
  MR_SP(lx);
  if (AtMetadataOptions(lx)) {
    MR_RETURN_IF_ERROR(ParseMetadataOptions(lx, c));
    MR_SP(lx);
  }
  const bool list = lx.Consume('(');
  do {
    MR_ASSIGN_OR_RETURN(std::string entry, lx.AString());
    c.metadata.entries.push_back(std::move(entry));
    if (c.metadata.entries.size() > limits.max_metadata_entries) {
      return OverLimit("too many entries", limits.max_metadata_entries);
    }
  } while (list && lx.Consume(' '));
  if (list) MR_RETURN_IF_ERROR(lx.Expect(')'));
  return lx.ExpectEnd();
}

// SETMETADATA SP mailbox SP "(" entry SP value *(SP entry SP value) ")",
// value = nstring / literal8 (RFC 5464 section 5).
absl::Status ParseSetMetadata(Lexer& lx, Command& c,
                              const ParseLimits& limits) {
  MR_SP(lx);
  MR_ASSIGN_OR_RETURN(std::string mailbox, lx.AString());
  c.args.push_back(std::move(mailbox));
  MR_SP(lx);
  MR_RETURN_IF_ERROR(lx.Expect('('));
  do {
    store::MetadataEntry e;
    MR_ASSIGN_OR_RETURN(e.name, lx.AString());
    MR_SP(lx);
    if (!lx.ConsumeWord("NIL")) {
      bool binary = false;
      MR_ASSIGN_OR_RETURN(std::string value, lx.StringOrLiteral8(&binary));
      e.value = std::move(value);
    }
    c.metadata.values.push_back(std::move(e));
    if (c.metadata.values.size() > limits.max_metadata_entries) {
      return OverLimit("too many entries", limits.max_metadata_entries);
    }
  } while (lx.Consume(' '));
  MR_RETURN_IF_ERROR(lx.Expect(')'));
  return lx.ExpectEnd();
}

struct NameEntry {
  const char* name;
  CommandName id;
};

constexpr NameEntry kNames[] = {
    {"CAPABILITY", CommandName::kCapability},
    {"NOOP", CommandName::kNoop},
    {"LOGOUT", CommandName::kLogout},
    {"STARTTLS", CommandName::kStartTls},
    {"AUTHENTICATE", CommandName::kAuthenticate},
    {"LOGIN", CommandName::kLogin},
    {"ENABLE", CommandName::kEnable},
    {"ID", CommandName::kId},
    {"SELECT", CommandName::kSelect},
    {"EXAMINE", CommandName::kExamine},
    {"CREATE", CommandName::kCreate},
    {"DELETE", CommandName::kDelete},
    {"RENAME", CommandName::kRename},
    {"SUBSCRIBE", CommandName::kSubscribe},
    {"UNSUBSCRIBE", CommandName::kUnsubscribe},
    {"LIST", CommandName::kList},
    {"LSUB", CommandName::kLsub},
    {"NAMESPACE", CommandName::kNamespace},
    {"STATUS", CommandName::kStatus},
    {"APPEND", CommandName::kAppend},
    {"IDLE", CommandName::kIdle},
    {"CHECK", CommandName::kCheck},
    {"CLOSE", CommandName::kClose},
    {"UNSELECT", CommandName::kUnselect},
    {"EXPUNGE", CommandName::kExpunge},
    {"SEARCH", CommandName::kSearch},
    {"FETCH", CommandName::kFetch},
    {"STORE", CommandName::kStore},
    {"COPY", CommandName::kCopy},
    {"MOVE", CommandName::kMove},
    {"GETACL", CommandName::kGetAcl},
    {"SETACL", CommandName::kSetAcl},
    {"DELETEACL", CommandName::kDeleteAcl},
    {"LISTRIGHTS", CommandName::kListRights},
    {"MYRIGHTS", CommandName::kMyRights},
    {"GETQUOTA", CommandName::kGetQuota},
    {"GETQUOTAROOT", CommandName::kGetQuotaRoot},
    {"SORT", CommandName::kSort},
    {"THREAD", CommandName::kThread},
    {"NOTIFY", CommandName::kNotify},
    {"SETQUOTA", CommandName::kSetQuota},
    {"COMPRESS", CommandName::kCompress},
    {"UNAUTHENTICATE", CommandName::kUnauthenticate},
    {"REPLACE", CommandName::kReplace},
    {"GETMETADATA", CommandName::kGetMetadata},
    {"SETMETADATA", CommandName::kSetMetadata},
    {"CANCELUPDATE", CommandName::kCancelUpdate},
};

absl::Status ParseArguments(Lexer& lx, Command& c, const ParseLimits& limits) {
  using N = CommandName;
  switch (c.name) {
    case N::kCapability: case N::kNoop: case N::kLogout: case N::kStartTls:
    case N::kNamespace: case N::kIdle: case N::kCheck: case N::kClose:
    case N::kUnselect: case N::kUnauthenticate:
      return lx.ExpectEnd();
    case N::kCompress: {  // RFC 4978: "COMPRESS" SP algorithm (an atom)
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(std::string algorithm, lx.Atom());
      c.args.push_back(AsciiUpper(algorithm));
      return lx.ExpectEnd();
    }
    case N::kExpunge:
      if (c.uid) {
        MR_SP(lx);
        MR_ASSIGN_OR_RETURN(c.set, Set(lx, limits));
      }
      return lx.ExpectEnd();
    case N::kAuthenticate: {
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(std::string mech, lx.Atom());
      c.args.push_back(AsciiUpper(mech));
      if (lx.Consume(' ')) {
        MR_ASSIGN_OR_RETURN(std::string ir, lx.Word());
        c.initial_response = std::move(ir);
      }
      return lx.ExpectEnd();
    }
    case N::kLogin:
      return AStrings(lx, c, 2);
    case N::kEnable:
      do {
        MR_SP(lx);
        MR_ASSIGN_OR_RETURN(std::string cap, lx.Atom());
        c.atoms.push_back(AsciiUpper(cap));
      } while (!lx.AtEnd());
      return absl::OkStatus();
    case N::kId:
      return ParseId(lx, c);
    case N::kSelect: case N::kExamine:
      return ParseSelect(lx, c, limits);
    case N::kCreate:
      return ParseCreate(lx, c);
    case N::kDelete: case N::kSubscribe: case N::kUnsubscribe:
    case N::kGetAcl: case N::kMyRights: case N::kGetQuota:
    case N::kGetQuotaRoot:
      return AStrings(lx, c, 1);
    case N::kRename: case N::kDeleteAcl: case N::kListRights:
      return AStrings(lx, c, 2);
    case N::kSetAcl:
      return AStrings(lx, c, 3);
    case N::kList:
      return ParseList(lx, c, false, limits);
    case N::kLsub:
      return ParseList(lx, c, true, limits);
    case N::kStatus: {
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(std::string mailbox, lx.AString());
      c.args.push_back(std::move(mailbox));
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(c.atoms, AtomList(lx));
      if (c.atoms.empty()) return Bad("empty STATUS list");
      return lx.ExpectEnd();
    }
    case N::kAppend:
      return ParseAppend(lx, c, limits);
    case N::kReplace:
      return ParseReplace(lx, c, limits);
    case N::kSearch:
      return ParseSearch(lx, c, limits);
    case N::kCancelUpdate:  // "CANCELUPDATE" 1*(SP quoted) (RFC 5267)
      do {
        MR_SP(lx);
        if (lx.Peek() != '"') return Bad("expected a quoted tag");
        MR_ASSIGN_OR_RETURN(std::string tag, lx.String());
        c.args.push_back(std::move(tag));
        if (c.args.size() > 100) return Bad("too many tags");
      } while (!lx.AtEnd());
      return absl::OkStatus();
    case N::kSort:
      return ParseSort(lx, c, limits);
    case N::kThread:
      return ParseThread(lx, c, limits);
    case N::kFetch:
      return ParseFetch(lx, c, limits);
    case N::kStore:
      return ParseStore(lx, c, limits);
    case N::kNotify:
      return ParseNotifyArgs(lx, c.notify);
    case N::kSetQuota: {
      std::string root;
      MR_RETURN_IF_ERROR(ParseSetQuotaArgs(lx, root, c.set_quota));
      c.args.push_back(std::move(root));
      return absl::OkStatus();
    }
    case N::kGetMetadata:
      return ParseGetMetadata(lx, c, limits);
    case N::kSetMetadata:
      return ParseSetMetadata(lx, c, limits);
    case N::kCopy: case N::kMove: {
      MR_SP(lx);
      MR_ASSIGN_OR_RETURN(c.set, Set(lx, limits));
      return AStrings(lx, c, 1);
    }
  }
  return Bad("unknown command");
}

}  // namespace

std::string TagOf(std::string_view line) {
  size_t n = 0;
  // tag = 1*<any ASTRING-CHAR except "+">
  while (n < line.size() && line[n] != '+' && IsAStringChar(line[n])) {
    ++n;
  }
  if (n == 0 || n > 64 || n >= line.size() || line[n] != ' ') return "*";
  return std::string(line.substr(0, n));
}

absl::StatusOr<std::vector<std::string>> ParseFlagList(Lexer& lx,
                                                       size_t max_flags) {
  MR_RETURN_IF_ERROR(lx.Expect('('));
  std::vector<std::string> flags;
  while (!lx.Consume(')')) {
    if (!flags.empty()) MR_SP(lx);
    MR_ASSIGN_OR_RETURN(std::string f, Flag(lx));
    flags.push_back(std::move(f));
    if (flags.size() > max_flags) return OverLimit("too many flags", max_flags);
  }
  return flags;
}

absl::StatusOr<std::pair<int64_t, int32_t>> ParseDateTime(std::string_view s) {
  // date-day-fixed "-" date-month "-" date-year SP time SP zone
  // e.g. " 1-Feb-1994 21:52:25 -0800" or "01-Feb-1994 21:52:25 -0800".
  if (s.size() != 26) return Bad("invalid date-time");
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr",
                                            "may", "jun", "jul", "aug",
                                            "sep", "oct", "nov", "dec"};
  auto digits = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, zh = 0, zm = 0;
  if (s[0] == ' ') {
    if (!digits(1, 1, &day)) return Bad("invalid date-time");
  } else if (!digits(0, 2, &day)) {
    return Bad("invalid date-time");
  }
  if (s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' ||
      s[17] != ':' || s[20] != ' ' || (s[21] != '+' && s[21] != '-') ||
      !digits(7, 4, &year) || !digits(12, 2, &hh) || !digits(15, 2, &mm) ||
      !digits(18, 2, &ss) || !digits(22, 2, &zh) || !digits(24, 2, &zm)) {
    return Bad("invalid date-time");
  }
  const std::string mon = AsciiLower(s.substr(3, 3));
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (mon == kMonths[i]) month = i + 1;
  }
  if (month == 0 || day < 1 || hh > 23 || mm > 59 || ss > 60 || zm > 59) {
    return Bad("invalid date-time");
  }
  const absl::CivilSecond cs(year, month, day, hh, mm, ss);
  if (cs.day() != day) return Bad("invalid date-time");
  const int32_t tz = (s[21] == '-' ? -1 : 1) * (zh * 60 + zm);
  const int64_t local = absl::ToUnixSeconds(absl::FromCivil(cs, absl::UTCTimeZone()));
  return std::make_pair(local - static_cast<int64_t>(tz) * 60, tz);
}

absl::StatusOr<Command> ParseCommand(std::string_view input,
                                     const ParseLimits& limits) {
  Command c;
  c.tag = TagOf(input);
  if (c.tag == "*") return Bad("invalid tag");
  Lexer lx(input.substr(c.tag.size() + 1));
  MR_ASSIGN_OR_RETURN(std::string name, lx.Atom());
  name = AsciiUpper(name);
  if (name == "UID") {
    c.uid = true;
    MR_SP(lx);
    MR_ASSIGN_OR_RETURN(name, lx.Atom());
    name = AsciiUpper(name);
    if (name != "FETCH" && name != "STORE" && name != "SEARCH" &&
        name != "SORT" && name != "THREAD" && name != "COPY" &&
        name != "MOVE" && name != "EXPUNGE" && name != "REPLACE") {
      return Bad("unknown UID command");
    }
  }
  bool found = false;
  for (const auto& e : kNames) {
    if (name == e.name) {
      c.name = e.id;
      found = true;
      break;
    }
  }
  if (!found) return absl::NotFoundError("unknown command");
  MR_RETURN_IF_ERROR(ParseArguments(lx, c, limits));
  return c;
}

}  // namespace mailroom::imap
