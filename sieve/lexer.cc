#include "sieve/lexer.h"

#include <limits>
#include <utility>

#include "absl/strings/ascii.h"

namespace mailroom::sieve {
namespace {

bool IsIdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

}  // namespace

Token Lexer::Error(Position pos, std::string message) {
  Token t;
  t.kind = Token::Kind::kError;
  t.pos = pos;
  t.text = std::move(message);
  return t;
}

void Lexer::Advance() {
  if (src_[i_] == '\n') {
    ++pos_.line;
    pos_.column = 1;
  } else {
    ++pos_.column;
  }
  ++i_;
}

bool Lexer::SkipSpace(Token* error) {
  while (!AtEnd()) {
    const char c = Peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      Advance();
    } else if (c == '#') {
      while (!AtEnd() && Peek() != '\n') Advance();
    } else if (c == '/' && Peek(1) == '*') {
      const Position start = pos_;
      Advance();
      Advance();
      while (!AtEnd() && !(Peek() == '*' && Peek(1) == '/')) Advance();
      if (AtEnd()) {
        *error = Error(start, "unterminated comment");
        return false;
      }
      Advance();
      Advance();
    } else {
      return true;
    }
  }
  return true;
}

Token Lexer::Next() {
  Token error;
  if (!SkipSpace(&error)) return error;
  Token t;
  t.pos = pos_;
  if (AtEnd()) return t;
  const char c = Peek();
  auto punct = [&](Token::Kind kind) {
    Advance();
    t.kind = kind;
    return t;
  };
  switch (c) {
    case '[': return punct(Token::Kind::kLBracket);
    case ']': return punct(Token::Kind::kRBracket);
    case '(': return punct(Token::Kind::kLParen);
    case ')': return punct(Token::Kind::kRParen);
    case '{': return punct(Token::Kind::kLBrace);
    case '}': return punct(Token::Kind::kRBrace);
    case ',': return punct(Token::Kind::kComma);
    case ';': return punct(Token::Kind::kSemicolon);
    case '"': return QuotedString(t.pos);
    default: break;
  }
  if (absl::ascii_isdigit(c)) return Number(t.pos);
  if (c == ':') {
    Advance();
    if (!IsIdentStart(Peek())) return Error(t.pos, "':' must start a tag");
    t.kind = Token::Kind::kTag;
    while (!AtEnd() && IsIdentChar(Peek())) {
      t.text.push_back(absl::ascii_tolower(Peek()));
      Advance();
    }
    return t;
  }
  if (IsIdentStart(c)) {
    t.kind = Token::Kind::kIdentifier;
    while (!AtEnd() && IsIdentChar(Peek())) {
      t.text.push_back(absl::ascii_tolower(Peek()));
      Advance();
    }
    if (t.text == "text" && Peek() == ':') {
      Advance();
      return MultiLine(t.pos);
    }
    return t;
  }
  return Error(t.pos, std::string("unexpected character '") + c + "'");
}

Token Lexer::QuotedString(Position start) {
  Token t;
  t.kind = Token::Kind::kString;
  t.pos = start;
  Advance();  // the opening quote
  while (!AtEnd()) {
    char c = Peek();
    if (c == '"') {
      Advance();
      return t;
    }
    if (c == '\\') {
      // RFC 5228 §2.4.2: "\" followed by any character is that character.
      Advance();
      if (AtEnd()) break;
      c = Peek();
    }
    t.text.push_back(c);
    Advance();
  }
  return Error(start, "unterminated string");
}

Token Lexer::MultiLine(Position start) {
  // "text:" *(SP / HTAB) (hash-comment / CRLF)
  while (Peek() == ' ' || Peek() == '\t') Advance();
  if (Peek() == '#') {
    while (!AtEnd() && Peek() != '\n') Advance();
  } else if (Peek() == '\r' && Peek(1) == '\n') {
    Advance();
  } else if (Peek() != '\n') {
    return Error(pos_, "'text:' must be followed by the end of the line");
  }
  if (AtEnd()) return Error(start, "unterminated multi-line string");
  Advance();  // LF
  Token t;
  t.kind = Token::Kind::kString;
  t.pos = start;
  while (!AtEnd()) {
    // One line, with its terminator.
    std::string line;
    while (!AtEnd() && Peek() != '\n') {
      line.push_back(Peek());
      Advance();
    }
    const bool terminated = !AtEnd();
    if (terminated) Advance();
    std::string_view body = line;
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    if (body == ".") return t;
    if (!terminated) break;
    if (!body.empty() && body.front() == '.') body.remove_prefix(1);  // dot-stuffing
    t.text.append(body);
    t.text.append("\r\n");
  }
  return Error(start, "unterminated multi-line string (no line with a single '.')");
}

Token Lexer::Number(Position start) {
  Token t;
  t.kind = Token::Kind::kNumber;
  t.pos = start;
  uint64_t value = 0;
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  bool overflow = false;
  while (!AtEnd() && absl::ascii_isdigit(Peek())) {
    const uint64_t digit = Peek() - '0';
    if (value > (max - digit) / 10) overflow = true;
    value = value * 10 + digit;
    Advance();
  }
  uint64_t scale = 1;
  switch (absl::ascii_toupper(Peek())) {
    case 'K': scale = uint64_t{1} << 10; break;
    case 'M': scale = uint64_t{1} << 20; break;
    case 'G': scale = uint64_t{1} << 30; break;
    default: break;
  }
  if (scale != 1) Advance();
  if (IsIdentChar(Peek())) return Error(start, "malformed number");
  if (overflow || value > max / scale) return Error(start, "number too large");
  t.number = value * scale;
  return t;
}

}  // namespace mailroom::sieve
