#include "protocols/managesieve/command_parser.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mailroom::managesieve {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ATOM-CHAR of RFC 5804: any CHAR but specials, SP, CTLs and quotes.
bool IsAtomChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '"': case '\\': case '%': case '*':
    case ']':
      return false;
    default:
      return true;
  }
}

// Parses "n" of "{n}" / "{n+}" at the start of `s` (just past "{").
// Returns the octets used including "}" or 0 on failure.
size_t ParseLiteralSize(std::string_view s, uint64_t* size) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && IsDigit(s[i])) {
    n = n * 10 + static_cast<uint64_t>(s[i] - '0');
    if (n > kMaxNumber) return 0;
    ++i;
  }
  if (i == 0) return 0;
  if (i < s.size() && s[i] == '+') ++i;
  if (i >= s.size() || s[i] != '}') return 0;
  *size = n;
  return i + 1;
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }

  absl::Status ExpectSpace() {
    if (AtEnd() || text_[pos_] != ' ') {
      return absl::InvalidArgumentError("Expected a space between arguments");
    }
    ++pos_;
    return absl::OkStatus();
  }

  absl::StatusOr<Argument> Next() {
    if (AtEnd()) return absl::InvalidArgumentError("Missing argument");
    const char c = text_[pos_];
    if (c == '"') return Quoted();
    if (c == '{') return Literal();
    if (!IsAtomChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Unexpected character at offset ", pos_));
    }
    Argument arg;
    const size_t start = pos_;
    while (!AtEnd() && IsAtomChar(text_[pos_])) ++pos_;
    arg.text = std::string(text_.substr(start, pos_ - start));
    bool all_digits = true;
    for (char d : arg.text) all_digits = all_digits && IsDigit(d);
    if (all_digits) {
      uint64_t n = 0;
      for (char d : arg.text) {
        n = n * 10 + static_cast<uint64_t>(d - '0');
        if (n > kMaxNumber) {
          return absl::InvalidArgumentError("Number too large");
        }
      }
      arg.kind = Argument::Kind::kNumber;
      arg.number = n;
    }
    return arg;
  }

 private:
  absl::StatusOr<Argument> Quoted() {
    Argument arg;
    arg.kind = Argument::Kind::kString;
    ++pos_;  // opening quote
    while (true) {
      if (AtEnd()) return absl::InvalidArgumentError("Unterminated string");
      char c = text_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (AtEnd() || (text_[pos_] != '"' && text_[pos_] != '\\')) {
          return absl::InvalidArgumentError(
              "Only \\\" and \\\\ may be escaped in a quoted string");
        }
        c = text_[pos_++];
      } else if (c == '\0' || c == '\r' || c == '\n') {
        return absl::InvalidArgumentError(
            "A quoted string cannot hold NUL, CR or LF; use a literal");
      }
      if (arg.text.size() >= kMaxQuotedBytes) {
        return absl::InvalidArgumentError(
            "Quoted string longer than 1024 octets; use a literal");
      }
      arg.text.push_back(c);
    }
    return arg;
  }

  absl::StatusOr<Argument> Literal() {
    uint64_t size = 0;
    const size_t used = ParseLiteralSize(text_.substr(pos_ + 1), &size);
    if (used == 0) return absl::InvalidArgumentError("Malformed literal");
    pos_ += 1 + used;
    if (text_.substr(pos_, 2) != "\r\n") {
      return absl::InvalidArgumentError("A literal must end its line");
    }
    pos_ += 2;
    if (text_.size() - pos_ < size) {
      return absl::InvalidArgumentError("Literal shorter than announced");
    }
    Argument arg;
    arg.kind = Argument::Kind::kString;
    arg.text = std::string(text_.substr(pos_, size));
    pos_ += size;
    return arg;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<uint64_t> TrailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  uint64_t size = 0;
  const std::string_view rest = line.substr(open + 1);
  if (ParseLiteralSize(rest, &size) != rest.size()) return std::nullopt;
  // The marker is an argument of its own: it starts the line or follows a
  // space.
  if (open > 0 && line[open - 1] != ' ') return std::nullopt;
  return size;
}

absl::StatusOr<Command> ParseCommand(std::string_view text) {
  Tokenizer tokens(text);
  absl::StatusOr<Argument> name = tokens.Next();
  if (!name.ok() || name->kind != Argument::Kind::kAtom) {
    return absl::InvalidArgumentError("Expected a command name");
  }
  Command command;
  command.name = absl::AsciiStrToUpper(name->text);
  while (!tokens.AtEnd()) {
    if (absl::Status s = tokens.ExpectSpace(); !s.ok()) return s;
    absl::StatusOr<Argument> arg = tokens.Next();
    if (!arg.ok()) return arg.status();
    command.args.push_back(*std::move(arg));
  }
  return command;
}

absl::StatusOr<std::optional<std::string>> ParseSaslResponse(
    std::string_view text) {
  if (text == "*" || text == "\"*\"") return std::optional<std::string>();
  Tokenizer tokens(text);
  absl::StatusOr<Argument> arg = tokens.Next();
  if (!arg.ok()) return arg.status();
  if (!arg->is_string() || !tokens.AtEnd()) {
    return absl::InvalidArgumentError(
        "Expected one string with the SASL response");
  }
  return std::optional<std::string>(std::move(arg->text));
}

}  // namespace mailroom::managesieve
