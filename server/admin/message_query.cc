#include "server/admin/message_query.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace mailroom::server::admin {
namespace {

using store::SearchKey;
using Kind = store::SearchKey::Kind;

constexpr int kMaxDepth = 64;

absl::Status Bad(absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("query: ", message));
}

// Hands out the query's tokens. A command-line word is one token, except
// that '(' at its start and ')' at its end are tokens of their own, so
// "(from bob)" and "( from bob )" read the same. A value (after "from",
// "header NAME", ...) is taken whole; only ')' at its end that close open
// groups are split off.
class Lexer {
 public:
  explicit Lexer(const std::vector<std::string>& words) : words_(words) {}

  struct State {
    size_t word = 0;
    size_t offset = 0;     // characters of the word already handed out
    int pending_close = 0;  // ')' split off the word just handed out
  };

  bool AtEnd() const {
    return state_.pending_close == 0 && state_.word >= words_.size();
  }

  // The next token as a key, "(", ")" or a keyword; "" at the end.
  std::string Next() {
    if (state_.pending_close > 0) {
      --state_.pending_close;
      return ")";
    }
    if (state_.word >= words_.size()) return "";
    absl::string_view w = Rest();
    if (w.empty()) {  // an empty argument: an empty token
      Advance();
      return "";
    }
    if (w[0] == '(') {
      ++state_.offset;
      if (state_.offset >= words_[state_.word].size()) Advance();
      return "(";
    }
    size_t closes = 0;
    while (closes < w.size() && w[w.size() - 1 - closes] == ')') ++closes;
    if (closes == w.size()) {
      // ")))": one at a time.
      ++state_.offset;
      if (state_.offset >= words_[state_.word].size()) Advance();
      return ")";
    }
    std::string token(w.substr(0, w.size() - closes));
    Advance();
    state_.pending_close = static_cast<int>(closes);
    return token;
  }

  std::string Peek() {
    const State saved = state_;
    std::string token = Next();
    state_ = saved;
    return token;
  }

  // The next word whole as a value; up to `open_groups` ')' at its end are
  // split off (they close groups). False at the end of the query.
  bool Value(int open_groups, std::string* value) {
    if (state_.pending_close > 0 || state_.word >= words_.size()) return false;
    absl::string_view w = Rest();
    int closes = 0;
    while (closes < open_groups && static_cast<size_t>(closes) < w.size() &&
           w[w.size() - 1 - closes] == ')') {
      ++closes;
    }
    // A value that is all ')' keeps them: "subject )" searches for ")".
    if (static_cast<size_t>(closes) == w.size()) closes = 0;
    *value = std::string(w.substr(0, w.size() - closes));
    Advance();
    state_.pending_close = closes;
    return true;
  }

 private:
  absl::string_view Rest() const {
    return absl::string_view(words_[state_.word]).substr(state_.offset);
  }
  void Advance() {
    ++state_.word;
    state_.offset = 0;
  }

  const std::vector<std::string>& words_;
  State state_;
};

// Days since the epoch of a YYYY-MM-DD date.
std::optional<int64_t> ParseDay(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  int64_t y = 0, m = 0, d = 0;
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 ||
      parts[2].size() != 2 || !absl::SimpleAtoi(parts[0], &y) ||
      !absl::SimpleAtoi(parts[1], &m) || !absl::SimpleAtoi(parts[2], &d)) {
    return std::nullopt;
  }
  const absl::CivilDay day(y, m, d);
  // CivilDay normalises 2024-02-30 into March: refuse such dates.
  if (day.year() != y || day.month() != m || day.day() != d) {
    return std::nullopt;
  }
  return day - absl::CivilDay(1970, 1, 1);
}

// Seconds of an age: a number and one of s, m (minutes), h, d, w.
std::optional<int64_t> ParseAge(absl::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t unit = 0;
  switch (absl::ascii_tolower(static_cast<unsigned char>(text.back()))) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return std::nullopt;
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) || n < 0 ||
      n > (int64_t{1} << 40)) {
    return std::nullopt;
  }
  return n * unit;
}

// Bytes: a number with an optional k, M or G suffix (powers of 1024).
std::optional<int64_t> ParseSize(absl::string_view text) {
  int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k': case 'K': unit = int64_t{1} << 10; break;
      case 'm': case 'M': unit = int64_t{1} << 20; break;
      case 'g': case 'G': unit = int64_t{1} << 30; break;
      default: break;
    }
    if (unit != 1) text.remove_suffix(1);
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n < 0 || n > (int64_t{1} << 40)) {
    return std::nullopt;
  }
  return n * unit;
}

// "1:5,7,10:*": '*' is kHighestUidPlaceholder until resolved.
std::optional<std::vector<store::UidRange>> ParseUidSet(absl::string_view text) {
  std::vector<store::UidRange> ranges;
  auto number = [](absl::string_view s, store::Uid* out) {
    if (s == "*") {
      *out = kHighestUidPlaceholder;
      return true;
    }
    uint32_t n = 0;
    if (s.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(s[0])) ||
        !absl::SimpleAtoi(s, &n) || n == 0) {
      return false;
    }
    *out = n;
    return true;
  };
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    store::UidRange range;
    const size_t colon = part.find(':');
    if (colon == absl::string_view::npos) {
      if (!number(part, &range.first)) return std::nullopt;
      range.last = range.first;
    } else if (!number(part.substr(0, colon), &range.first) ||
               !number(part.substr(colon + 1), &range.last)) {
      return std::nullopt;
    }
    ranges.push_back(range);
  }
  return ranges;
}

SearchKey Leaf(Kind kind, int64_t number = 0) {
  SearchKey key;
  key.kind = kind;
  key.number = number;
  return key;
}

SearchKey Header(std::string field, std::string value) {
  SearchKey key;
  key.kind = Kind::kHeader;
  key.field = std::move(field);
  key.value = std::move(value);
  return key;
}

SearchKey Combine(Kind kind, std::vector<SearchKey> children) {
  if (children.size() == 1) return std::move(children[0]);
  SearchKey key;
  key.kind = kind;
  key.children = std::move(children);
  return key;
}

class Parser {
 public:
  explicit Parser(const std::vector<std::string>& words) : lexer_(words) {}

  absl::StatusOr<SearchKey> Parse() {
    absl::StatusOr<SearchKey> key = Sequence();
    if (!key.ok()) return key;
    if (!lexer_.AtEnd()) {
      const std::string token = lexer_.Next();
      if (token == ")") return Bad("')' without a matching '('");
      return Bad(absl::StrCat("unexpected '", token, "'"));
    }
    return key;
  }

 private:
  // Keys side by side, all of which must match, up to ")" or the end.
  absl::StatusOr<SearchKey> Sequence() {
    std::vector<SearchKey> all;
    while (!lexer_.AtEnd() && lexer_.Peek() != ")") {
      absl::StatusOr<SearchKey> key = Alternatives();
      if (!key.ok()) return key;
      all.push_back(*std::move(key));
    }
    if (all.empty()) return Leaf(Kind::kAll);
    return Combine(Kind::kAnd, std::move(all));
  }

  // KEY [or KEY]...
  absl::StatusOr<SearchKey> Alternatives() {
    std::vector<SearchKey> any;
    absl::StatusOr<SearchKey> first = Unary();
    if (!first.ok()) return first;
    any.push_back(*std::move(first));
    while (!lexer_.AtEnd() && absl::AsciiStrToLower(lexer_.Peek()) == "or") {
      lexer_.Next();
      if (lexer_.AtEnd() || lexer_.Peek() == ")") {
        return Bad("'or' needs a key after it");
      }
      absl::StatusOr<SearchKey> next = Unary();
      if (!next.ok()) return next;
      any.push_back(*std::move(next));
    }
    return Combine(Kind::kOr, std::move(any));
  }

  absl::StatusOr<SearchKey> Unary() {
    if (++depth_ > kMaxDepth) return Bad("nested too deeply");
    absl::StatusOr<SearchKey> key = UnaryBody();
    --depth_;
    return key;
  }

  absl::StatusOr<SearchKey> UnaryBody() {
    if (lexer_.AtEnd()) return Bad("a key is missing at the end");
    const std::string token = lexer_.Next();
    if (token == "(") {
      ++open_groups_;
      absl::StatusOr<SearchKey> inner = Sequence();
      if (!inner.ok()) return inner;
      if (lexer_.AtEnd()) return Bad("'(' without a matching ')'");
      lexer_.Next();  // ")"
      --open_groups_;
      return inner;
    }
    if (token == ")") return Bad("')' without a matching '('");
    const std::string name = absl::AsciiStrToLower(token);
    if (name == "not") {
      absl::StatusOr<SearchKey> child = Unary();
      if (!child.ok()) return child;
      SearchKey key = Leaf(Kind::kNot);
      key.children.push_back(*std::move(child));
      return key;
    }
    if (name == "or") {  // IMAP's prefix form: or KEY KEY
      std::vector<SearchKey> both;
      for (int i = 0; i < 2; ++i) {
        if (lexer_.AtEnd() || lexer_.Peek() == ")") {
          return Bad("'or' needs two keys");
        }
        absl::StatusOr<SearchKey> child = Unary();
        if (!child.ok()) return child;
        both.push_back(*std::move(child));
      }
      return Combine(Kind::kOr, std::move(both));
    }
    return Key(name, token);
  }

  absl::StatusOr<std::string> Arg(absl::string_view key, absl::string_view what) {
    std::string value;
    if (!lexer_.Value(open_groups_, &value)) {
      return Bad(absl::StrCat("'", key, "' needs ", what));
    }
    return value;
  }

  absl::StatusOr<SearchKey> Key(const std::string& name,
                                const std::string& token) {
    struct FlagKey {
      const char* name;
      Kind kind;
      uint32_t flag;
    };
    static constexpr FlagKey kFlagKeys[] = {
        {"seen", Kind::kFlagSet, store::kSeen},
        {"unseen", Kind::kFlagClear, store::kSeen},
        {"flagged", Kind::kFlagSet, store::kFlagged},
        {"unflagged", Kind::kFlagClear, store::kFlagged},
        {"answered", Kind::kFlagSet, store::kAnswered},
        {"unanswered", Kind::kFlagClear, store::kAnswered},
        {"deleted", Kind::kFlagSet, store::kDeleted},
        {"undeleted", Kind::kFlagClear, store::kDeleted},
        {"draft", Kind::kFlagSet, store::kDraft},
        {"undraft", Kind::kFlagClear, store::kDraft},
    };
    if (name == "all") return Leaf(Kind::kAll);
    for (const FlagKey& f : kFlagKeys) {
      if (name == f.name) return Leaf(f.kind, f.flag);
    }
    if (name == "keyword" || name == "unkeyword") {
      absl::StatusOr<std::string> keyword = Arg(name, "a keyword");
      if (!keyword.ok()) return keyword.status();
      if (keyword->empty()) return Bad(absl::StrCat("'", name, "' needs a keyword"));
      SearchKey key =
          Leaf(name == "keyword" ? Kind::kKeyword : Kind::kUnkeyword);
      key.value = *std::move(keyword);
      return key;
    }
    if (name == "from" || name == "to" || name == "cc" || name == "bcc" ||
        name == "subject") {
      absl::StatusOr<std::string> value = Arg(name, "a string");
      if (!value.ok()) return value.status();
      return Header(name, *std::move(value));
    }
    if (name == "body" || name == "text") {
      absl::StatusOr<std::string> value = Arg(name, "a string");
      if (!value.ok()) return value.status();
      SearchKey key = Leaf(name == "body" ? Kind::kBody : Kind::kText);
      key.value = *std::move(value);
      return key;
    }
    if (name == "header") {
      absl::StatusOr<std::string> field = Arg(name, "a field name and a string");
      if (!field.ok()) return field.status();
      if (field->empty() || field->find(':') != std::string::npos) {
        return Bad(absl::StrCat("'", *field, "' is not a header field name"));
      }
      absl::StatusOr<std::string> value = Arg(name, "a field name and a string");
      if (!value.ok()) return value.status();
      return Header(absl::AsciiStrToLower(*field), *std::move(value));
    }
    if (name == "before" || name == "since" || name == "on" ||
        name == "sentbefore" || name == "sentsince" || name == "senton" ||
        name == "savedbefore" || name == "savedsince" || name == "savedon") {
      return DateKey(name);
    }
    if (name == "larger" || name == "smaller") {
      absl::StatusOr<std::string> value = Arg(name, "a size");
      if (!value.ok()) return value.status();
      std::optional<int64_t> bytes = ParseSize(*value);
      if (!bytes) {
        return Bad(absl::StrCat("'", *value,
                                "' is not a size (a number, k/M/G suffix ok)"));
      }
      return Leaf(name == "larger" ? Kind::kLarger : Kind::kSmaller, *bytes);
    }
    if (name == "uid") {
      absl::StatusOr<std::string> value = Arg(name, "a UID set");
      if (!value.ok()) return value.status();
      std::optional<std::vector<store::UidRange>> set = ParseUidSet(*value);
      if (!set) {
        return Bad(absl::StrCat("'", *value,
                                "' is not a UID set (like 1:5,7,10:*)"));
      }
      SearchKey key = Leaf(Kind::kUids);
      key.uids = *std::move(set);
      return key;
    }
    if (name == "modseq") {
      absl::StatusOr<std::string> value = Arg(name, "a number");
      if (!value.ok()) return value.status();
      int64_t n = 0;
      if (!absl::SimpleAtoi(*value, &n) || n < 0) {
        return Bad(absl::StrCat("'", *value, "' is not a modseq"));
      }
      return Leaf(Kind::kModSeq, n);
    }
    if (token.empty()) return Bad("an empty word where a key belongs");
    return Bad(absl::StrCat("unknown key '", token, "'"));
  }

  // before/since/on DATE (internal date), sent* DATE (Date: header),
  // saved* DATE (save date). before/since/savedbefore/savedsince also take
  // an age: "before 30d" = older than 30 days.
  absl::StatusOr<SearchKey> DateKey(const std::string& name) {
    absl::StatusOr<std::string> value = Arg(name, "a date (YYYY-MM-DD)");
    if (!value.ok()) return value.status();
    const bool age_ok = name == "before" || name == "since" ||
                        name == "savedbefore" || name == "savedsince";
    if (age_ok) {
      if (std::optional<int64_t> age = ParseAge(*value)) {
        const bool saved = name == "savedbefore" || name == "savedsince";
        const bool before = name == "before" || name == "savedbefore";
        Kind kind = before ? (saved ? Kind::kSavedOlder : Kind::kOlder)
                           : (saved ? Kind::kSavedYounger : Kind::kYounger);
        // kOlder: now - date > N; "before 30d" means at least that old.
        return Leaf(kind, before ? *age - 1 : *age);
      }
    }
    std::optional<int64_t> day = ParseDay(*value);
    if (!day) {
      return Bad(absl::StrCat("'", *value, "' is not a date (YYYY-MM-DD",
                              age_ok ? ") or an age (like 30d, 12h, 2w)" : ")"));
    }
    static const std::pair<const char*, Kind> kKinds[] = {
        {"before", Kind::kBefore},         {"since", Kind::kSince},
        {"on", Kind::kOn},                 {"sentbefore", Kind::kSentBefore},
        {"sentsince", Kind::kSentSince},   {"senton", Kind::kSentOn},
        {"savedbefore", Kind::kSavedBefore}, {"savedsince", Kind::kSavedSince},
        {"savedon", Kind::kSavedOn},
    };
    for (const auto& [key_name, kind] : kKinds) {
      if (name == key_name) return Leaf(kind, *day);
    }
    return Bad(absl::StrCat("unknown key '", name, "'"));
  }

  Lexer lexer_;
  int depth_ = 0;
  int open_groups_ = 0;
};

}  // namespace

absl::StatusOr<store::SearchKey> ParseMessageQuery(
    const std::vector<std::string>& words) {
  return Parser(words).Parse();
}

bool UsesHighestUid(const store::SearchKey& key) {
  for (const store::UidRange& r : key.uids) {
    if (r.first == kHighestUidPlaceholder || r.last == kHighestUidPlaceholder) {
      return true;
    }
  }
  return std::any_of(key.children.begin(), key.children.end(),
                     [](const SearchKey& c) { return UsesHighestUid(c); });
}

void ResolveHighestUid(store::SearchKey& key, store::Uid highest) {
  for (store::UidRange& r : key.uids) {
    if (r.first == kHighestUidPlaceholder) r.first = highest;
    if (r.last == kHighestUidPlaceholder) r.last = highest;
  }
  for (SearchKey& child : key.children) ResolveHighestUid(child, highest);
}

std::optional<int64_t> ParseWhen(const std::string& text, int64_t now) {
  if (std::optional<int64_t> day = ParseDay(text)) return *day * 86400;
  if (std::optional<int64_t> age = ParseAge(text)) return now - *age;
  return std::nullopt;
}

std::string MessageQueryHelp() {
  return "QUERY (keys are case-insensitive; keys side by side must all "
         "match):\n"
         "  all | seen | unseen | flagged | unflagged | answered | unanswered\n"
         "  deleted | undeleted | draft | undraft\n"
         "  keyword K | unkeyword K\n"
         "  from S | to S | cc S | bcc S | subject S | body S | text S\n"
         "  header NAME S          (S: case-insensitive substring; \"\" = has "
         "the field)\n"
         "  before D | since D | on D              (internal date)\n"
         "  sentbefore D | sentsince D | senton D  (Date: header)\n"
         "  savedbefore D | savedsince D | savedon D  (when the message was "
         "saved\n"
         "                         into this mailbox: appended, copied, moved)\n"
         "      D: YYYY-MM-DD (UTC days); before/since/savedbefore/savedsince\n"
         "      also take an age: 45s, 90m, 12h, 30d, 2w (\"savedbefore 30d\" = "
         "saved\n"
         "      30 days ago or earlier)\n"
         "  larger N | smaller N   (bytes; k, M, G suffixes = 1024^1..3)\n"
         "  uid SET                (1:5,7,10:*; * = the highest UID)\n"
         "  modseq N\n"
         "  not KEY | or KEY KEY | KEY or KEY (or binds tighter than the "
         "implicit and)\n"
         "  ( KEY... )             (parentheses may stand alone or stick to "
         "words)\n"
         "  Each value is one argument: quote it in the shell "
         "(subject \"two words\").\n"
         "  MAILBOX '*' means every mailbox of USER.\n";
}

}  // namespace mailroom::server::admin
