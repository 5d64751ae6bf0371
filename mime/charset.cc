#include "mime/charset.h"

#include <errno.h>
#include <iconv.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/utf8.h"

namespace mailroom::mime {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Windows-1252 0x80..0x9F; the rest of the high half is Latin-1.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void AppendCp1252(std::string_view bytes, std::string* out) {
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0xA0) {
      AppendCodePoint(kCp1252High[c - 0x80], out);
    } else {
      AppendCodePoint(c, out);
    }
  }
}

bool IsAscii(std::string_view bytes) {
  for (unsigned char c : bytes) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Lower-cased charset name with characters iconv could misread (such as the
// "//TRANSLIT" suffix) removed, and RFC 2231 language suffixes dropped.
std::string NormalizeName(std::string_view charset) {
  std::string name;
  for (char c : charset) {
    if (c == '*') break;  // "utf-8*en" (RFC 2231 section 5)
    if ((c >= 'A' && c <= 'Z')) {
      name.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.' || c == ':') {
      name.push_back(c);
    }
  }
  return name;
}

bool IsUtf8Name(const std::string& n) { return n == "utf-8" || n == "utf8"; }

bool IsPassThroughName(const std::string& n) {
  return n.empty() || n == "us-ascii" || n == "ascii" || n == "us_ascii" ||
         n == "ansi_x3.4-1968" || n == "x-unknown" || n == "unknown" ||
         n == "default" || n == "7bit" || n == "8bit";
}

// Names mail software writes that glibc's iconv spells differently, and
// charsets better read as their common superset.
std::string IconvName(const std::string& n) {
  if (n == "iso-8859-1" || n == "latin1" || n == "iso8859-1" ||
      n == "iso_8859-1" || n == "l1" || n == "windows-1252" || n == "cp1252")
    return "WINDOWS-1252";
  if (n == "gb2312" || n == "gbk" || n == "x-gbk" || n == "cp936" ||
      n == "euc-cn")
    return "GB18030";
  if (n == "ks_c_5601-1987" || n == "ks_c_5601" || n == "euc-kr" ||
      n == "ksc5601")
    return "CP949";
  if (n == "iso-8859-8-i" || n == "iso-8859-8-e") return "ISO-8859-8";
  if (n == "iso-8859-6-i" || n == "iso-8859-6-e") return "ISO-8859-6";
  if (n == "shift_jis" || n == "x-sjis" || n == "sjis" || n == "ms_kanji")
    return "CP932";
  if (n == "windows-874" || n == "tis-620") return "CP874";
  if (n == "x-mac-roman" || n == "macintosh") return "MACINTOSH";
  if (n == "unicode-1-1-utf-7" || n == "utf7") return "UTF-7";
  if (n == "x-user-defined") return "WINDOWS-1252";
  return n;
}

// One iconv descriptor per (thread, charset); iconv_open loads gconv modules
// and is far too slow to call per header. Not thread-safe: each thread has
// its own (thread_local).
class ConverterCache {
 public:
  ~ConverterCache() {
    for (auto& [name, cd] : cache_) {
      if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
    }
  }
  // Returns (iconv_t)-1 if iconv does not know the charset.
  iconv_t Get(const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second;
    if (cache_.size() > 64) {
      for (auto& [n, cd] : cache_) {
        if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
      }
      cache_.clear();
    }
    iconv_t cd = iconv_open("UTF-8", IconvName(name).c_str());
    cache_.emplace(name, cd);
    return cd;
  }

 private:
  std::unordered_map<std::string, iconv_t> cache_;
};

// Converts with iconv; returns false if the charset is unknown.
bool AppendIconv(std::string_view bytes, const std::string& name,
                 std::string* out) {
  thread_local ConverterCache cache;
  iconv_t cd = cache.Get(name);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char buffer[4096];
  while (in_left > 0) {
    char* o = buffer;
    size_t o_left = sizeof(buffer);
    size_t r = iconv(cd, &in, &in_left, &o, &o_left);
    out->append(buffer, o - buffer);
    if (r != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    // EILSEQ: an undecodable byte; EINVAL: a truncated sequence at the end.
    out->append(kReplacement);
    if (errno == EINVAL) break;
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  // Flush any pending shift sequence (stateful encodings such as ISO-2022).
  char* o = buffer;
  size_t o_left = sizeof(buffer);
  iconv(cd, nullptr, nullptr, &o, &o_left);
  out->append(buffer, o - buffer);
  return true;
}

}  // namespace

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (!base::AppendUtf8(cp, out)) out->append(kReplacement);
}

bool IsValidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Skip ASCII eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    const size_t len = base::Utf8SequenceLength(bytes.substr(i), &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendReplacingInvalidUtf8(std::string_view bytes, std::string* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  size_t run_start = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    const size_t len = base::Utf8SequenceLength(bytes.substr(i), &cp);
    if (len == 0) {
      out->append(bytes.substr(run_start, i - run_start));
      out->append(kReplacement);
      ++i;
      run_start = i;
    } else {
      i += len;
    }
  }
  out->append(bytes.substr(run_start));
}

void AppendUtf8(std::string_view bytes, std::string_view charset,
                std::string* out) {
  if (IsAscii(bytes)) {
    // Every charset mail uses is an ASCII superset except the UTF-16/32
    // family, UTF-7 and ISO-2022 ones, which need a real conversion.
    std::string name = NormalizeName(charset);
    bool needs_iconv = name.starts_with("utf-16") ||
                       name.starts_with("utf-32") || name.starts_with("ucs") ||
                       name.starts_with("utf-7") || name == "utf7" ||
                       name == "unicode-1-1-utf-7" ||
                       name.find("2022") != std::string::npos ||
                       name.starts_with("hz");
    if (!needs_iconv || !AppendIconv(bytes, name, out)) out->append(bytes);
    return;
  }
  std::string name = NormalizeName(charset);
  if (IsUtf8Name(name)) {
    AppendReplacingInvalidUtf8(bytes, out);
    return;
  }
  if (!IsPassThroughName(name) && AppendIconv(bytes, name, out)) return;
  if (IsValidUtf8(bytes)) {
    out->append(bytes);
  } else {
    AppendCp1252(bytes, out);
  }
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  std::string out;
  out.reserve(bytes.size());
  AppendUtf8(bytes, charset, &out);
  return out;
}

}  // namespace mailroom::mime
