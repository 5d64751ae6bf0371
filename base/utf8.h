// The one UTF-8 decoder and encoder: every place that must tell valid text
// from bytes (account names, the log's escaping, MIME charsets, modified
// UTF-7 names, Sieve's encoded characters) goes through these two.
#ifndef MAILROOM_BASE_UTF8_H_
#define MAILROOM_BASE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailroom::base {

// Whether `cp` is a Unicode scalar value: at most U+10FFFF and not a
// surrogate (U+D800..U+DFFF), i.e. something UTF-8 may encode.
constexpr bool IsUnicodeScalarValue(uint32_t cp) {
  return cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

// Length of the valid UTF-8 sequence at the start of `s` (1..4) with its
// code point in *code_point, or 0 when `s` is empty or does not start with
// one (overlong forms, surrogates and values past U+10FFFF included).
inline size_t Utf8SequenceLength(std::string_view s, uint32_t* code_point) {
  if (s.empty()) return 0;
  const unsigned char lead = static_cast<unsigned char>(s[0]);
  size_t length;
  uint32_t cp;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2;
    cp = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    cp = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || !IsUnicodeScalarValue(cp)) return 0;
  *code_point = cp;
  return length;
}

// Whether all of `s` is valid UTF-8 in the sense above.
inline bool IsValidUtf8(std::string_view s) {
  uint32_t cp = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t length = Utf8SequenceLength(s.substr(i), &cp);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Appends the shortest UTF-8 encoding of `cp` (1..4 bytes) to `out` and
// returns true; returns false and appends nothing when `cp` is not a scalar
// value (a surrogate or past U+10FFFF). Callers decide what such a value
// means: an error, or U+FFFD.
inline bool AppendUtf8(uint32_t cp, std::string* out) {
  if (!IsUnicodeScalarValue(cp)) return false;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
  return true;
}

}  // namespace mailroom::base

#endif  // MAILROOM_BASE_UTF8_H_
