// Tokens of RFC 5228 §8.1: identifiers, tags, numbers with K/M/G, quoted
// strings with escapes, multi-line "text:" strings with dot-stuffing,
// punctuation; comments and white space are skipped.
//
// Thread-safety: a Lexer is used by one thread.
#ifndef MAILROOM_SIEVE_LEXER_H_
#define MAILROOM_SIEVE_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sieve/ast.h"

namespace mailroom::sieve {

struct Token {
  enum class Kind {
    kEnd, kError, kIdentifier, kTag, kNumber, kString,
    kLBracket, kRBracket, kLParen, kRParen, kLBrace, kRBrace,
    kComma, kSemicolon,
  };
  Kind kind = Kind::kEnd;
  Position pos;
  std::string text;  // identifier/tag (lower case), string value, or error
  uint64_t number = 0;
};

class Lexer {
 public:
  // `source` must outlive the lexer.
  explicit Lexer(std::string_view source) : src_(source) {}

  // The next token; kError carries a message in `text`, at `pos`.
  Token Next();

 private:
  bool AtEnd() const { return i_ >= src_.size(); }
  char Peek(size_t ahead = 0) const {
    return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0';
  }
  void Advance();
  // Skips white space and comments; false with `error` on an unterminated
  // bracket comment.
  bool SkipSpace(Token* error);
  Token QuotedString(Position start);
  Token MultiLine(Position start);
  Token Number(Position start);
  static Token Error(Position pos, std::string message);

  std::string_view src_;
  size_t i_ = 0;
  Position pos_;
};

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_LEXER_H_
