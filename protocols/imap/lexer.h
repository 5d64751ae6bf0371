// Token reader over one complete IMAP command: the command line with every
// literal inlined as "{n}\r\n<n bytes>" (see CommandReader). Implements the
// lexical rules of RFC 9051 section 9 (atoms, quoted strings, literals,
// literal8, numbers) that the command parsers build on.
//
// Thread-safety: not thread-safe; one command per Lexer.
#ifndef MAILROOM_PROTOCOLS_IMAP_LEXER_H_
#define MAILROOM_PROTOCOLS_IMAP_LEXER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mailroom::imap {

// RFC 9051 ATOM-CHAR (8-bit bytes are tolerated for UTF8=ACCEPT clients).
bool IsAtomChar(char c);
// ASTRING-CHAR: ATOM-CHAR or "]".
bool IsAStringChar(char c);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return AtEnd() ? '\0' : in_[pos_]; }
  size_t pos() const { return pos_; }
  std::string_view rest() const { return in_.substr(pos_); }

  bool Consume(char c);
  // Consumes `word` case-insensitively if it follows as a whole token
  // (followed by SP, "(", ")", "[", "]" or the end).
  bool ConsumeWord(std::string_view word);
  absl::Status Expect(char c);
  absl::Status ExpectSpace() { return Expect(' '); }
  absl::Status ExpectEnd();

  // 1*ATOM-CHAR.
  absl::StatusOr<std::string> Atom();
  // 1*ASTRING-CHAR / string.
  absl::StatusOr<std::string> AString();
  // quoted / literal.
  absl::StatusOr<std::string> String();
  // "NIL" / string.
  absl::StatusOr<std::optional<std::string>> NString();
  // 1*(ATOM-CHAR / "%" / "*" / "]") / string: a LIST pattern.
  absl::StatusOr<std::string> ListMailbox();
  // quoted / literal / literal8; *binary set when it was literal8.
  absl::StatusOr<std::string> StringOrLiteral8(bool* binary);
  // number (up to 2^63-1 for mod-sequences).
  absl::StatusOr<uint64_t> Number();
  absl::StatusOr<uint32_t> Number32();
  absl::StatusOr<uint32_t> NzNumber32();
  // A run of characters up to SP, ")" or the end: sequence sets and the like.
  absl::StatusOr<std::string> Word();

  bool StartsLiteral() const;

 private:
  absl::StatusOr<std::string> Quoted();
  absl::StatusOr<std::string> Literal();

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_LEXER_H_
