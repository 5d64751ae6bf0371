#include "sieve/encoded_character.h"

#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/utf8.h"
#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Parses the blank-separated hex numbers of `body`, each of at most
// `max_digits` digits (0: unbounded). False when malformed or empty.
bool HexSequence(std::string_view body, size_t max_digits, std::vector<uint64_t>* out) {
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && IsBlank(body[i])) ++i;
    if (i == body.size()) break;
    if (!out->empty() && !IsBlank(body[i - 1])) return false;
    size_t digits = 0;
    uint64_t value = 0;
    while (i < body.size() && HexValue(body[i]) >= 0) {
      if (++digits > 9) value = 0x7fffffff;  // surely out of range; keep reading
      else value = value * 16 + HexValue(body[i]);
      ++i;
    }
    if (digits == 0 || (max_digits && digits > max_digits)) return false;
    out->push_back(value);
  }
  return !out->empty();
}

}  // namespace

bool DecodeEncodedCharacters(std::string* s, std::string* error) {
  if (s->find("${") == std::string::npos) return true;
  std::string out;
  std::string_view in = *s;
  size_t i = 0;
  while (i < in.size()) {
    if (in.compare(i, 2, "${") != 0) {
      out.push_back(in[i++]);
      continue;
    }
    const size_t close = in.find('}', i + 2);
    const size_t colon = in.find(':', i + 2);
    if (close == std::string_view::npos || colon == std::string_view::npos || colon > close) {
      out.push_back(in[i++]);
      continue;
    }
    const std::string_view kind = in.substr(i + 2, colon - i - 2);
    const std::string_view body = in.substr(colon + 1, close - colon - 1);
    std::vector<uint64_t> values;
    if (EqualsIgnoreCase(kind, "hex") && HexSequence(body, 2, &values)) {
      for (uint64_t v : values) out.push_back(static_cast<char>(v));
      i = close + 1;
    } else if (EqualsIgnoreCase(kind, "unicode") && HexSequence(body, 0, &values)) {
      for (uint64_t v : values) {
        // A 36-bit value must not reach the 32-bit encoder truncated.
        if (v > 0x10FFFF ||
            !base::AppendUtf8(static_cast<uint32_t>(v), &out)) {
          *error = Cat("invalid Unicode character in \"",
                                in.substr(i, close + 1 - i), "\"");
          return false;
        }
      }
      i = close + 1;
    } else {
      out.push_back(in[i++]);
    }
  }
  *s = std::move(out);
  return true;
}

}  // namespace mailroom::sieve
