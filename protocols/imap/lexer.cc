#include "protocols/imap/lexer.h"
#include "protocols/imap/strings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mailroom::imap {
namespace {

absl::Status Syntax(std::string_view what) {
  return absl::InvalidArgumentError(AbslView(what));
}

}  // namespace

bool IsAtomChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x1f || u == 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"':
    case '\\': case ']':
      return false;
    default:
      return true;
  }
}

bool IsAStringChar(char c) { return c == ']' || IsAtomChar(c); }

bool Lexer::Consume(char c) {
  if (Peek() == c && !AtEnd()) {
    ++pos_;
    return true;
  }
  return false;
}

bool Lexer::ConsumeWord(std::string_view word) {
  if (in_.size() - pos_ < word.size()) return false;
  if (!EqualsNoCase(in_.substr(pos_, word.size()), word)) {
    return false;
  }
  const size_t end = pos_ + word.size();
  if (end < in_.size()) {
    const char n = in_[end];
    if (n != ' ' && n != '(' && n != ')' && n != '[' && n != ']') return false;
  }
  pos_ = end;
  return true;
}

absl::Status Lexer::Expect(char c) {
  if (Consume(c)) return absl::OkStatus();
  if (c == ' ') return Syntax("expected a space");
  return Syntax(absl::StrCat("expected '", std::string(1, c), "'"));
}

absl::Status Lexer::ExpectEnd() {
  if (AtEnd()) return absl::OkStatus();
  return Syntax("unexpected extra arguments");
}

absl::StatusOr<std::string> Lexer::Atom() {
  const size_t start = pos_;
  while (!AtEnd() && IsAtomChar(in_[pos_])) ++pos_;
  if (pos_ == start) return Syntax("expected an atom");
  return std::string(in_.substr(start, pos_ - start));
}

bool Lexer::StartsLiteral() const {
  const char c = Peek();
  return c == '{' || (c == '~' && pos_ + 1 < in_.size() && in_[pos_ + 1] == '{');
}

absl::StatusOr<std::string> Lexer::AString() {
  const char c = Peek();
  if (c == '"' || c == '{') return String();
  const size_t start = pos_;
  while (!AtEnd() && IsAStringChar(in_[pos_])) ++pos_;
  if (pos_ == start) return Syntax("expected a string");
  return std::string(in_.substr(start, pos_ - start));
}

absl::StatusOr<std::string> Lexer::String() {
  if (Peek() == '"') return Quoted();
  if (Peek() == '{') return Literal();
  return Syntax("expected a quoted string or literal");
}

absl::StatusOr<std::optional<std::string>> Lexer::NString() {
  if (ConsumeWord("NIL")) return std::optional<std::string>();
  auto s = String();
  if (!s.ok()) return s.status();
  return std::optional<std::string>(std::move(*s));
}

absl::StatusOr<std::string> Lexer::ListMailbox() {
  const char c = Peek();
  if (c == '"' || c == '{') return String();
  const size_t start = pos_;
  while (!AtEnd() && (IsAStringChar(in_[pos_]) || in_[pos_] == '%' ||
                      in_[pos_] == '*')) {
    ++pos_;
  }
  if (pos_ == start) return Syntax("expected a mailbox pattern");
  return std::string(in_.substr(start, pos_ - start));
}

absl::StatusOr<std::string> Lexer::StringOrLiteral8(bool* binary) {
  *binary = false;
  if (Peek() == '~') {
    ++pos_;
    if (Peek() != '{') return Syntax("expected a literal8");
    *binary = true;
    return Literal();
  }
  return String();
}

absl::StatusOr<std::string> Lexer::Quoted() {
  if (!Consume('"')) return Syntax("expected a quoted string");
  std::string out;
  while (true) {
    if (AtEnd()) return Syntax("unterminated quoted string");
    const char c = in_[pos_++];
    if (c == '"') return out;
    if (c == '\r' || c == '\n' || c == '\0') {
      return Syntax("invalid character in quoted string");
    }
    if (c == '\\') {
      if (AtEnd()) return Syntax("unterminated quoted string");
      const char e = in_[pos_++];
      if (e != '"' && e != '\\') return Syntax("invalid quoted-pair");
      out.push_back(e);
      continue;
    }
    out.push_back(c);
  }
}

absl::StatusOr<std::string> Lexer::Literal() {
  if (!Consume('{')) return Syntax("expected a literal");
  uint64_t n = 0;
  const size_t start = pos_;
  while (!AtEnd() && in_[pos_] >= '0' && in_[pos_] <= '9') {
    n = n * 10 + static_cast<uint64_t>(in_[pos_] - '0');
    if (n > (1ull << 40)) return Syntax("literal too large");
    ++pos_;
  }
  if (pos_ == start) return Syntax("expected a literal size");
  if (Peek() == '+' || Peek() == '-') ++pos_;
  if (!Consume('}')) return Syntax("expected '}'");
  if (!Consume('\r') || !Consume('\n')) return Syntax("literal without CRLF");
  if (in_.size() - pos_ < n) return Syntax("truncated literal");
  std::string out(in_.substr(pos_, n));
  pos_ += n;
  return out;
}

absl::StatusOr<uint64_t> Lexer::Number() {
  const size_t start = pos_;
  uint64_t n = 0;
  while (!AtEnd() && in_[pos_] >= '0' && in_[pos_] <= '9') {
    if (n > (0x7fffffffffffffffull - 9) / 10) return Syntax("number too large");
    n = n * 10 + static_cast<uint64_t>(in_[pos_] - '0');
    ++pos_;
  }
  if (pos_ == start) return Syntax("expected a number");
  return n;
}

absl::StatusOr<uint32_t> Lexer::Number32() {
  auto n = Number();
  if (!n.ok()) return n.status();
  if (*n > 0xffffffffull) return Syntax("number too large");
  return static_cast<uint32_t>(*n);
}

absl::StatusOr<uint32_t> Lexer::NzNumber32() {
  auto n = Number32();
  if (!n.ok()) return n.status();
  if (*n == 0) return Syntax("expected a non-zero number");
  return *n;
}

absl::StatusOr<std::string> Lexer::Word() {
  const size_t start = pos_;
  while (!AtEnd() && in_[pos_] != ' ' && in_[pos_] != ')' &&
         in_[pos_] != '(' && in_[pos_] != '\r' && in_[pos_] != '\n') {
    ++pos_;
  }
  if (pos_ == start) return Syntax("expected an argument");
  return std::string(in_.substr(start, pos_ - start));
}

}  // namespace mailroom::imap
