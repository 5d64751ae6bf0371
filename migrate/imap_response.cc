#include "migrate/imap_response.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mailroom::migrate {
namespace {

class Parser {
 public:
  explicit Parser(absl::string_view in) : in_(in) {}

  bool AtEnd() const { return pos_ >= in_.size(); }
  void SkipSpaces() {
    while (pos_ < in_.size() && in_[pos_] == ' ') ++pos_;
  }
  absl::string_view Rest() const { return in_.substr(pos_); }

  absl::StatusOr<ImapValue> Value(int depth = 0) {
    if (depth > 64) return Error("lists nested too deep");
    SkipSpaces();
    if (AtEnd()) return Error("value expected");
    const char c = in_[pos_];
    ImapValue v;
    if (c == '(') {
      ++pos_;
      v.kind = ImapValue::kList;
      for (;;) {
        SkipSpaces();
        if (AtEnd()) return Error("unterminated list");
        if (in_[pos_] == ')') {
          ++pos_;
          return v;
        }
        absl::StatusOr<ImapValue> item = Value(depth + 1);
        if (!item.ok()) return item.status();
        v.items.push_back(*std::move(item));
      }
    }
    if (c == '"') {
      ++pos_;
      v.kind = ImapValue::kString;
      while (pos_ < in_.size() && in_[pos_] != '"') {
        if (in_[pos_] == '\\' && pos_ + 1 < in_.size()) ++pos_;
        v.text.push_back(in_[pos_++]);
      }
      if (AtEnd()) return Error("unterminated quoted string");
      ++pos_;
      return v;
    }
    if (c == '{' || (c == '~' && pos_ + 1 < in_.size() && in_[pos_ + 1] == '{')) {
      pos_ += c == '~' ? 2 : 1;
      const size_t close = in_.find('}', pos_);
      if (close == absl::string_view::npos) return Error("bad literal");
      absl::string_view digits = in_.substr(pos_, close - pos_);
      if (absl::EndsWith(digits, "+")) digits.remove_suffix(1);
      uint64_t n = 0;
      if (!absl::SimpleAtoi(digits, &n)) return Error("bad literal length");
      pos_ = close + 1;
      if (in_.substr(pos_, 2) != "\r\n" || in_.size() - pos_ - 2 < n) {
        return Error("truncated literal");
      }
      pos_ += 2;
      v.kind = ImapValue::kString;
      v.text = std::string(in_.substr(pos_, n));
      pos_ += n;
      return v;
    }
    // An atom; fetch attributes like BODY[] or BODY[HEADER] keep their
    // bracketed section (which may hold spaces and parentheses).
    const size_t start = pos_;
    int brackets = 0;
    while (pos_ < in_.size()) {
      const char d = in_[pos_];
      if (d == '[') ++brackets;
      if (d == ']' && brackets > 0) --brackets;
      if (brackets == 0 && (d == ' ' || d == '(' || d == ')' || d == '"' ||
                            d == '\r' || d == '\n')) {
        break;
      }
      ++pos_;
    }
    if (pos_ == start) return Error("unexpected character");
    v.text = std::string(in_.substr(start, pos_ - start));
    if (absl::EqualsIgnoreCase(v.text, "NIL")) {
      v.kind = ImapValue::kNil;
      v.text.clear();
    } else {
      v.kind = ImapValue::kAtom;
    }
    return v;
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed IMAP response (", what, ") near: ",
        in_.substr(pos_ > 20 ? pos_ - 20 : 0, 60)));
  }

 private:
  absl::string_view in_;
  size_t pos_ = 0;
};

bool IsStatusWord(absl::string_view word) {
  return word == "OK" || word == "NO" || word == "BAD" || word == "BYE" ||
         word == "PREAUTH";
}

void SplitStatusText(absl::string_view text, ImapResponse* r) {
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find(']');
    if (close != absl::string_view::npos) {
      r->code = std::string(text.substr(1, close - 1));
      text.remove_prefix(close + 1);
      while (absl::StartsWith(text, " ")) text.remove_prefix(1);
    }
  }
  r->text = std::string(text);
}

}  // namespace

bool ImapValue::IsAtom(absl::string_view upper) const {
  return kind == kAtom && absl::EqualsIgnoreCase(text, upper);
}

absl::StatusOr<ImapResponse> ParseImapResponse(absl::string_view raw) {
  ImapResponse r;
  if (absl::StartsWith(raw, "+")) {
    r.kind = ImapResponse::kContinuation;
    r.text = std::string(absl::StripLeadingAsciiWhitespace(raw.substr(1)));
    return r;
  }
  const size_t space = raw.find(' ');
  if (space == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed IMAP response: ", raw.substr(0, 60)));
  }
  const absl::string_view first = raw.substr(0, space);
  absl::string_view rest = raw.substr(space + 1);
  r.kind = first == "*" ? ImapResponse::kUntagged : ImapResponse::kTagged;
  if (r.kind == ImapResponse::kTagged) r.tag = std::string(first);
  const size_t word_end = rest.find(' ');
  const std::string word =
      absl::AsciiStrToUpper(rest.substr(0, word_end));
  if (IsStatusWord(word)) {
    r.status = word;
    SplitStatusText(word_end == absl::string_view::npos
                        ? absl::string_view()
                        : rest.substr(word_end + 1),
                    &r);
    return r;
  }
  if (r.kind == ImapResponse::kTagged) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed tagged response: ", raw.substr(0, 60)));
  }
  Parser parser(rest);
  // CAPABILITY and similar lines are plain atoms; LIST/FETCH carry lists.
  while (true) {
    parser.SkipSpaces();
    if (parser.AtEnd()) break;
    absl::StatusOr<ImapValue> v = parser.Value();
    if (!v.ok()) return v.status();
    r.values.push_back(*std::move(v));
  }
  return r;
}

bool QuoteImapString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) return false;
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
  return true;
}

}  // namespace mailroom::migrate
