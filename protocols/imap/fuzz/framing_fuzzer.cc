// libFuzzer target: IMAP commands as they come off the wire. The byte stream
// is cut into commands the way the session reads them (a line; a line
// ending in a literal announcement "{n}", "{n+}" or "~{n}" is followed by n
// raw bytes and the command goes on), and each assembled command goes
// through TagOf, the command parser, and a token walk of the lexer that
// reads literals and literal8 at every position they may start.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/imap/command_parser.h"
#include "protocols/imap/lexer.h"

namespace {

using mailroom::imap::Lexer;

// Small limits keep each run fast; the framing is the same at any size.
constexpr size_t kMaxLineBytes = 2048;
constexpr uint64_t kMaxLiteralBytes = 4096;
constexpr size_t kMaxLiteralsPerCommand = 16;

void Check(bool ok) {
  if (!ok) abort();
}

// The size a line's trailing "{n}" / "{n+}" / "{n-}" announces.
std::optional<uint64_t> TrailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  if (!inner.empty() && (inner.back() == '+' || inner.back() == '-')) {
    inner.remove_suffix(1);
  }
  if (inner.empty() || inner.size() > 19) return std::nullopt;
  uint64_t size = 0;
  for (char c : inner) {
    if (c < '0' || c > '9') return std::nullopt;
    size = size * 10 + static_cast<uint64_t>(c - '0');
  }
  return size;
}

// A connection over the fuzz input: CRLF (or bare LF) lines and exact reads.
class Wire {
 public:
  explicit Wire(std::string_view bytes) : bytes_(bytes) {}
  bool empty() const { return bytes_.empty(); }
  // std::nullopt at the end or past kMaxLineBytes (the session then
  // answers BAD and skips the line).
  std::optional<std::string_view> ReadLine() {
    const size_t end = bytes_.find('\n');
    std::string_view line = bytes_.substr(0, end);
    bytes_.remove_prefix(end == std::string_view::npos ? bytes_.size()
                                                       : end + 1);
    if (line.size() > kMaxLineBytes) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }
  std::optional<std::string_view> ReadExactly(size_t n) {
    if (bytes_.size() < n) return std::nullopt;
    const std::string_view data = bytes_.substr(0, n);
    bytes_.remove_prefix(n);
    return data;
  }

 private:
  std::string_view bytes_;
};

// Reads every token the lexer offers, so literal headers, counts and
// payloads are met at arbitrary positions, not only where the grammar
// expects them.
void WalkTokens(std::string_view command) {
  Lexer lexer(command);
  for (int steps = 0; !lexer.AtEnd() && steps < 256; ++steps) {
    const size_t before = lexer.pos();
    bool binary = false;
    if (lexer.StartsLiteral() || lexer.Peek() == '~' || lexer.Peek() == '"') {
      absl::StatusOr<std::string> s = lexer.StringOrLiteral8(&binary);
      if (s.ok()) Check(s->size() <= command.size());
    } else if (lexer.Peek() >= '0' && lexer.Peek() <= '9') {
      (void)lexer.Number();
    } else {
      (void)lexer.AString();
    }
    Check(lexer.pos() <= command.size());
    if (lexer.pos() == before) lexer.Consume(lexer.Peek());
    if (lexer.pos() == before) break;
  }
}

void Handle(const std::string& command) {
  const std::string tag = mailroom::imap::TagOf(command);
  Check(!tag.empty());
  mailroom::imap::ParseLimits limits;
  limits.max_depth = 32;
  limits.max_sequence_elements = 1000;
  absl::StatusOr<mailroom::imap::Command> parsed =
      mailroom::imap::ParseCommand(command, limits);
  if (parsed.ok()) Check(parsed->tag == tag);
  WalkTokens(command);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Wire wire(std::string_view(reinterpret_cast<const char*>(data), size));
  while (!wire.empty()) {
    std::string command;
    size_t literals = 0;
    bool complete = false;
    while (true) {
      std::optional<std::string_view> line = wire.ReadLine();
      if (!line) break;
      command.append(*line);
      const std::optional<uint64_t> literal = TrailingLiteral(*line);
      if (!literal) {
        complete = true;
        break;
      }
      if (*literal > kMaxLiteralBytes || ++literals > kMaxLiteralsPerCommand) {
        break;
      }
      std::optional<std::string_view> bytes = wire.ReadExactly(*literal);
      if (!bytes) break;
      command.append("\r\n");
      command.append(*bytes);
    }
    if (complete) Handle(command);
  }
  return 0;
}
