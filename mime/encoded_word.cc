// RFC 2047 encoded words in unstructured header values.
#include <algorithm>
#include <string>
#include <string_view>

#include "mime/charset.h"
#include "mime/text.h"
#include "mime/transfer_encoding.h"

namespace mailroom::mime {
namespace {

constexpr size_t kMaxCharsetLength = 64;
// RFC 2047 allows 75 characters per word; mailers exceed that, not this.
constexpr size_t kMaxEncodedTextLength = 4096;

struct EncodedWord {
  std::string_view charset;
  char encoding;         // 'b' or 'q'
  std::string_view text;
  size_t end;            // offset just past "?="
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Parses "=?charset?e?text?=" at `pos` (which holds "=?").
bool ParseEncodedWord(std::string_view s, size_t pos, EncodedWord* word) {
  size_t cs_begin = pos + 2;
  // Searches stay within a window so that a value full of "=?" that never
  // closes costs linear time, not quadratic.
  size_t q1 = s.substr(0, std::min(s.size(), cs_begin + kMaxCharsetLength + 1))
                  .find('?', cs_begin);
  if (q1 == std::string_view::npos || q1 == cs_begin) return false;
  for (size_t i = cs_begin; i < q1; ++i) {
    if (IsSpace(s[i])) return false;
  }
  if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
  char e = s[q1 + 1];
  if (e == 'B' || e == 'b') {
    word->encoding = 'b';
  } else if (e == 'Q' || e == 'q') {
    word->encoding = 'q';
  } else {
    return false;
  }
  size_t text_begin = q1 + 3;
  // Encoded text never holds '?', so the first one must start "?=". Each
  // scan stops at the next '?', which keeps a value of many unclosed words
  // linear.
  size_t close =
      s.substr(0, std::min(s.size(), text_begin + kMaxEncodedTextLength))
          .find('?', text_begin);
  if (close == std::string_view::npos || close + 1 >= s.size() ||
      s[close + 1] != '=')
    return false;
  // Encoded words never span lines; a stray "=?" must not eat the header.
  for (size_t i = text_begin; i < close; ++i) {
    if (s[i] == '\r' || s[i] == '\n') return false;
  }
  word->charset = s.substr(cs_begin, q1 - cs_begin);
  word->text = s.substr(text_begin, close - text_begin);
  word->end = close + 2;
  return true;
}

void AppendQ(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      out->push_back(' ');
    } else if (c == '=' && i + 2 < text.size()) {
      auto hex = [](char h) {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        return -1;
      };
      int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out->push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out->push_back(c);
      }
    } else {
      out->push_back(c);
    }
  }
}

// Appends unencoded header text: unfolded, 8-bit read as UTF-8 (RFC 6532)
// or else Windows-1252.
void AppendPlain(std::string_view text, std::string* out) {
  std::string unfolded;
  unfolded.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') unfolded.push_back(c);
  }
  AppendUtf8(unfolded, "", out);
}

}  // namespace

std::string DecodeHeaderValue(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  // Adjacent words in one charset are decoded together: a multi-byte
  // character may be split across two words.
  std::string pending_bytes;
  std::string pending_charset;
  auto flush = [&]() {
    if (!pending_bytes.empty()) AppendUtf8(pending_bytes, pending_charset, &out);
    pending_bytes.clear();
  };

  size_t pos = 0;
  size_t plain_start = 0;
  bool previous_was_word = false;
  while (pos < raw.size()) {
    size_t candidate = raw.find("=?", pos);
    EncodedWord word;
    if (candidate == std::string_view::npos) break;
    if (!ParseEncodedWord(raw, candidate, &word)) {
      pos = candidate + 2;
      continue;
    }
    std::string_view between = raw.substr(plain_start, candidate - plain_start);
    bool only_space = true;
    for (char c : between) {
      if (!IsSpace(c)) only_space = false;
    }
    // RFC 2047 section 6.2: whitespace between adjacent encoded words is
    // dropped.
    if (!(previous_was_word && only_space)) {
      flush();
      AppendPlain(between, &out);
    }
    if (word.charset != pending_charset) {
      flush();
      pending_charset = std::string(word.charset);
    }
    if (word.encoding == 'b') {
      pending_bytes += DecodeBase64(word.text);
    } else {
      AppendQ(word.text, &pending_bytes);
    }
    previous_was_word = true;
    pos = plain_start = word.end;
  }
  flush();
  AppendPlain(raw.substr(plain_start), &out);
  // Trim the whitespace unfolding leaves at the ends.
  size_t b = 0;
  while (b < out.size() && (out[b] == ' ' || out[b] == '\t')) ++b;
  size_t e = out.size();
  while (e > b && (out[e - 1] == ' ' || out[e - 1] == '\t')) --e;
  return out.substr(b, e - b);
}

}  // namespace mailroom::mime
